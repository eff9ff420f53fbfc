using System.Buffers;
using System.Runtime.InteropServices;

namespace NativeIpc.Serialization;

/// <summary>The untyped twin of <see cref="UnmanagedArraySerializer{TArray}"/> (the same bytes), for argument types known
/// only at run time: made per array type without generic code, so NativeAOT needs nothing it did not compile.</summary>
internal sealed class RawArraySerializer(Type arrayType) : IIpcSerializer
{
    private readonly int _elementSize = IpcSerializers.SizeOf(arrayType.GetElementType()!);

    public void SerializeObject(object value, IBufferWriter<byte> destination)
    {
        var array = (Array)value;
        var bytes = MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), checked(array.Length * _elementSize));
        bytes.CopyTo(destination.GetSpan(bytes.Length));
        destination.Advance(bytes.Length);
    }

    public object? DeserializeObject(ReadOnlySpan<byte> source)
    {
        if (source.Length % _elementSize != 0)
            throw new IpcSerializationException($"{source.Length} bytes is not a whole number of '{arrayType.GetElementType()}' elements.");
        var array = Array.CreateInstanceFromArrayType(arrayType, source.Length / _elementSize);
        source.CopyTo(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), source.Length));
        return array;
    }
}
