using System.Buffers.Binary;

namespace NativeIpc.Manager;

/// <summary>Walks a snapshot's length-prefixed parts (written by <see cref="SnapshotWriter"/>).</summary>
internal ref struct SnapshotReader
{
    private ReadOnlySpan<byte> _rest;
    private readonly int _length;

    public SnapshotReader(ReadOnlySpan<byte> entries)
    {
        _rest = entries;
        _length = entries.Length;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Consumed => _length - _rest.Length;

    /// <summary>Skips <paramref name="parts"/> parts without decoding them.</summary>
    public void Skip(int parts)
    {
        for (int i = 0; i < parts; i++) Next();
    }

    /// <summary>The next part's bytes, without its prefix.</summary>
    public ReadOnlySpan<byte> Next()
    {
        if (_rest.Length < SnapshotLayout.LengthPrefixSize) throw Corrupt();
        int n = BinaryPrimitives.ReadInt32LittleEndian(_rest);
        if ((uint)n > (uint)(_rest.Length - SnapshotLayout.LengthPrefixSize)) throw Corrupt();
        var part = _rest.Slice(SnapshotLayout.LengthPrefixSize, n);
        _rest = _rest[(SnapshotLayout.LengthPrefixSize + n)..];
        return part;
    }

    private static IpcSegmentCorruptedException Corrupt() => new("A shared collection's snapshot is corrupt: a part runs past its end.");
}
