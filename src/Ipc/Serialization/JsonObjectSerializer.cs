using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace NativeIpc.Serialization;

/// <summary>The untyped twin of <see cref="JsonIpcSerializer{T}"/>: the System.Text.Json fallback for an argument type
/// known only at run time (off under NativeAOT, like the typed one).</summary>
[RequiresUnreferencedCode("System.Text.Json reflection")]
[RequiresDynamicCode("System.Text.Json reflection")]
internal sealed class JsonObjectSerializer(Type type) : IIpcSerializer
{
    public void SerializeObject(object value, IBufferWriter<byte> destination)
    {
        try
        {
            using var w = new Utf8JsonWriter(destination);
            JsonSerializer.Serialize(w, value, type);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new IpcSerializationException($"A '{type}' could not be serialized with System.Text.Json: {e.Message}. Give the type an [IpcSerializer].", e);
        }
    }

    public object? DeserializeObject(ReadOnlySpan<byte> source)
    {
        try { return JsonSerializer.Deserialize(source, type); }
        catch (JsonException e) { throw new IpcSerializationException($"The bytes are not a JSON '{type}': {e.Message}", e); }
    }
}
