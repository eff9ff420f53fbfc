namespace NativeIpc.Serialization;

/// <summary>What a channel needs beyond <see cref="IIpcSerializer{T}"/> to skip its staging buffer: the encoding of a
/// value is bytes that already exist (the value's own memory), so a queue copies them straight into shared memory.
/// The built-in serializers for unmanaged values, unmanaged arrays and strings implement it; channels ask for the
/// capability, never for a serializer's class.</summary>
internal interface IDirectSerializer<T> : IIpcSerializer<T>
{
    /// <summary>Size in bytes of every encoding (unmanaged <typeparamref name="T"/>), or 0 when it varies.</summary>
    int FixedSize { get; }

    /// <summary>The encoding of <paramref name="value"/>: a view of its own memory, exactly what
    /// <see cref="IIpcSerializer{T}.Serialize"/> would write.</summary>
    /// <exception cref="IpcSerializationException"><paramref name="value"/> is null (it would arrive as an empty one).</exception>
    ReadOnlySpan<byte> AsBytes(ref T value);
}
