namespace NativeIpc.Manager;

/// <summary>The per-process half of a manager collection: decodes the shared snapshot into an in-process object and
/// keeps it, keyed by the snapshot's version, so reads cost one atomic load while nothing changed; writers run
/// read-change-publish under the segment's lock.</summary>
/// <typeparam name="TData">The decoded snapshot. Never mutated once decoded or published: readers on other threads
/// may be enumerating it, so a change builds a new one.</typeparam>
internal sealed class SnapshotStore<TData> : ISnapshotStore<TData> where TData : class
{
    public delegate TData Decoder(ReadOnlySpan<byte> entries, int count);

    /// <summary>Writes the entries of the new snapshot; <c>previous</c> is the current snapshot's bytes, which an
    /// append can copy instead of serializing every entry again. Returns the entry count.</summary>
    public delegate int Encoder(TData next, SnapshotWriter writer, ReadOnlySpan<byte> previous);

    private readonly SnapshotSegment _segment;
    private readonly Decoder _decode;
    private readonly SnapshotWriter _writer = new(); // used only under the lock, which excludes this process's threads too
    private Snapshot? _cache;

    public SnapshotStore(SnapshotSegment segment, Decoder decode)
    {
        _segment = segment;
        _decode = decode;
    }

    public SnapshotSegment Segment => _segment;

    public string Name => _segment.Name;

    public long Capacity => _segment.Capacity;

    public bool IsDisposed => _segment.IsDisposed;

    /// <summary>The current snapshot (a private object: enumerate it freely).</summary>
    public TData Read()
    {
        _segment.Enter();
        try
        {
            long state = _segment.State;
            var cached = _cache;
            if (cached is not null && cached.Version == state) return cached.Data;
            var data = _decode(_segment.CopyCurrent(out state, out int count), count);
            _cache = new Snapshot(state, data);
            return data;
        }
        finally { _segment.Exit(); }
    }

    /// <summary>Under the lock: reads the current snapshot, lets <paramref name="change"/> decide (a null
    /// <c>Next</c> changes nothing) and publishes the new one with <paramref name="encode"/>.</summary>
    public TResult Write<TResult>(Func<TData, (TData? Next, TResult Result)> change, Encoder encode)
    {
        _segment.Enter();
        try { return WriteLocked(change, encode); }
        finally { _segment.Exit(); }
    }

    private TResult WriteLocked<TResult>(Func<TData, (TData? Next, TResult Result)> change, Encoder encode)
    {
        _segment.EnterWrite();
        try
        {
            long state = _segment.State;
            var previous = _segment.Entries(state, out int previousCount);
            var cached = _cache;
            var current = cached is not null && cached.Version == state ? cached.Data : _decode(previous, previousCount);
            var (next, result) = change(current);
            if (next is null)
            {
                _cache = new Snapshot(state, current);
                return result;
            }
            _writer.Reset();
            int count = encode(next, _writer, previous);
            _segment.Publish(state, _writer.Written, count);
            _cache = new Snapshot(state + 1, next);
            return result;
        }
        finally { _segment.ExitWrite(); } // the mapping stays until Exit, also when disposed meanwhile
    }

    public void Dispose()
    {
        _cache = null;
        _segment.Dispose();
    }

    private sealed class Snapshot(long version, TData data)
    {
        public long Version { get; } = version;
        public TData Data { get; } = data;
    }
}
