using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeIpc.Serialization;

/// <summary>Copies an unmanaged value byte for byte (also what <see cref="ArgumentCodec"/> sends as "raw").</summary>
internal sealed class UnmanagedSerializer<T> : IDirectSerializer<T>
{
    public int FixedSize => Unsafe.SizeOf<T>();

    public ReadOnlySpan<byte> AsBytes(ref T value) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref value), Unsafe.SizeOf<T>());

    public void Serialize(T value, IBufferWriter<byte> destination)
    {
        Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(destination.GetSpan(Unsafe.SizeOf<T>())), value);
        destination.Advance(Unsafe.SizeOf<T>());
    }

    public T Deserialize(ReadOnlySpan<byte> source)
    {
        if (source.Length != Unsafe.SizeOf<T>())
            throw new IpcSerializationException($"Expected {Unsafe.SizeOf<T>()} bytes for '{typeof(T)}', got {source.Length}: the other side sent another type.");
        return Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(source));
    }
}
