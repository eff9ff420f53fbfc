using System.Buffers;
using System.Buffers.Binary;

namespace NativeIpc.Manager;

/// <summary>Builds a snapshot's entries in private memory: each part serialized through an
/// <see cref="IIpcSerializer{T}"/> behind a length prefix. Reused by one writer at a time (writers hold the lock).</summary>
internal sealed class SnapshotWriter : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[256];
    private int _written;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _written);

    public void Reset() => _written = 0;

    /// <summary>Appends <paramref name="value"/> with its length in front.</summary>
    public void WritePart<T>(IIpcSerializer<T> serializer, T value)
    {
        int prefixAt = _written;
        Advance(SnapshotLayout.LengthPrefixSize, ensure: true);
        serializer.Serialize(value, this);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(prefixAt), _written - prefixAt - SnapshotLayout.LengthPrefixSize);
    }

    /// <summary>Appends bytes that are already a length-prefixed part.</summary>
    public void WriteRaw(ReadOnlySpan<byte> part)
    {
        part.CopyTo(GetSpan(part.Length));
        _written += part.Length;
    }

    /// <summary>Copies <paramref name="previous"/> with <paramref name="removeParts"/> parts starting at part
    /// <paramref name="atPart"/> cut out, calling <paramref name="insert"/> where they were: the cheap way to change
    /// one entry of a snapshot (a memory copy of the others, instead of serializing them again).</summary>
    public void WriteSpliced(ReadOnlySpan<byte> previous, int atPart, int removeParts, Action<SnapshotWriter>? insert)
    {
        var reader = new SnapshotReader(previous);
        reader.Skip(atPart);
        int cutStart = reader.Consumed;
        reader.Skip(removeParts);
        int cutEnd = reader.Consumed;
        WriteRaw(previous[..cutStart]);
        insert?.Invoke(this);
        WriteRaw(previous[cutEnd..]);
    }

    public void Advance(int count) => Advance(count, ensure: false);

    private void Advance(int count, bool ensure)
    {
        if (ensure) GetSpan(count);
        if (count < 0 || _written + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        int need = _written + Math.Max(sizeHint, 1);
        if (need <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(need, checked(_buffer.Length * 2)));
    }
}
