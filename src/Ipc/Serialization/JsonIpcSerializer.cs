using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace NativeIpc.Serialization;

/// <summary>The fallback for types with no other serializer: System.Text.Json over reflection (off under NativeAOT).</summary>
[RequiresUnreferencedCode("System.Text.Json reflection")]
[RequiresDynamicCode("System.Text.Json reflection")]
internal sealed class JsonIpcSerializer<T> : IIpcSerializer<T>
{
    public void Serialize(T value, IBufferWriter<byte> destination)
    {
        try
        {
            using var w = new Utf8JsonWriter(destination);
            JsonSerializer.Serialize(w, value);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new IpcSerializationException($"A '{typeof(T)}' could not be serialized with System.Text.Json: {e.Message}. Give the type an [IpcSerializer].", e);
        }
    }

    public T Deserialize(ReadOnlySpan<byte> source)
    {
        try { return JsonSerializer.Deserialize<T>(source)!; }
        catch (JsonException e) { throw new IpcSerializationException($"The bytes are not a JSON '{typeof(T)}': {e.Message}", e); }
    }
}
