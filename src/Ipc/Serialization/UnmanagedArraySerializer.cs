using System.Buffers;
using System.Runtime.InteropServices;

namespace NativeIpc.Serialization;

/// <summary>Copies an array of unmanaged elements (<typeparamref name="TArray"/> is the array type) byte for byte.</summary>
internal sealed class UnmanagedArraySerializer<TArray> : IDirectSerializer<TArray>
{
    private static readonly int s_elementSize = IpcSerializers.SizeOf(typeof(TArray).GetElementType()!);

    public int FixedSize => 0;

    public ReadOnlySpan<byte> AsBytes(ref TArray value)
    {
        var array = (Array?)(object?)value ?? throw new IpcSerializationException(
            $"A null '{typeof(TArray)}' cannot be sent: it would arrive as an empty one. Close the channel to signal the end.");
        return MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), checked(array.Length * s_elementSize));
    }

    public void Serialize(TArray value, IBufferWriter<byte> destination)
    {
        var bytes = AsBytes(ref value);
        bytes.CopyTo(destination.GetSpan(bytes.Length));
        destination.Advance(bytes.Length);
    }

    public TArray Deserialize(ReadOnlySpan<byte> source)
    {
        if (source.Length % s_elementSize != 0)
            throw new IpcSerializationException($"{source.Length} bytes is not a whole number of '{typeof(TArray).GetElementType()}' elements.");
        var array = Array.CreateInstanceFromArrayType(typeof(TArray), source.Length / s_elementSize);
        source.CopyTo(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), source.Length));
        return (TArray)(object)array;
    }
}
