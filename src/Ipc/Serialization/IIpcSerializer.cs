using System.Buffers;

namespace NativeIpc;

/// <summary>Turns values of <typeparamref name="T"/> into bytes and back, for everything that crosses a process
/// boundary by value (process arguments, queue items, pipe messages). Attach one to your type with
/// <see cref="IpcSerializerAttribute"/> so every process finds it, or register it with
/// <see cref="IpcSerializers.Register{T}(IIpcSerializer{T})"/>.</summary>
/// <typeparam name="T">The type serialized.</typeparam>
/// <remarks>Python: the role pickle plays for multiprocessing.</remarks>
public interface IIpcSerializer<T> : IIpcSerializer
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/>.</summary>
    void Serialize(T value, IBufferWriter<byte> destination);

    /// <summary>Reads a value from exactly the bytes one <see cref="Serialize"/> call wrote.</summary>
    T Deserialize(ReadOnlySpan<byte> source);

    void IIpcSerializer.SerializeObject(object value, IBufferWriter<byte> destination) => Serialize((T)value, destination);

    object? IIpcSerializer.DeserializeObject(ReadOnlySpan<byte> source) => Deserialize(source);
}

/// <summary>The untyped face of every <see cref="IIpcSerializer{T}"/>, implemented for you by that interface: what
/// NativeIpc uses where it knows a type only at run time (a child decoding its target's arguments), so no generic
/// code has to be made at run time, which NativeAOT cannot do. Implement <see cref="IIpcSerializer{T}"/>, not this.</summary>
public interface IIpcSerializer
{
    /// <summary>Writes <paramref name="value"/> (of the serializer's type) to <paramref name="destination"/>.</summary>
    void SerializeObject(object value, IBufferWriter<byte> destination);

    /// <summary>Reads a value (of the serializer's type, boxed) from exactly the bytes one write produced.</summary>
    object? DeserializeObject(ReadOnlySpan<byte> source);
}
