using System.Buffers;

namespace NativeIpc;

/// <summary>Turns values of <typeparamref name="T"/> into bytes and back, for everything that crosses a process
/// boundary by value (process arguments, queue items, pipe messages). Attach one to your type with
/// <see cref="IpcSerializerAttribute"/> so every process finds it, or register it with
/// <see cref="IpcSerializers.Register{T}(IIpcSerializer{T})"/>.</summary>
/// <typeparam name="T">The type serialized.</typeparam>
/// <remarks>Python: the role pickle plays for multiprocessing.</remarks>
public interface IIpcSerializer<T>
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/>.</summary>
    void Serialize(T value, IBufferWriter<byte> destination);

    /// <summary>Reads a value from exactly the bytes one <see cref="Serialize"/> call wrote.</summary>
    T Deserialize(ReadOnlySpan<byte> source);
}
