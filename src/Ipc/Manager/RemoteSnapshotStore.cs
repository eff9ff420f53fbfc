namespace NativeIpc.Manager;

/// <summary>A collection's snapshot kept by a remote manager's server. Reads ask for the snapshot only if it changed
/// since ours (one round trip, a few bytes when nothing changed); a write changes our copy and publishes it with the
/// version it was based on — one round trip — and, if another process published first, retries on the snapshot the
/// refusal carried.</summary>
internal sealed class RemoteSnapshotStore<TData> : ISnapshotStore<TData> where TData : class
{
    /// <summary>The store for a collection on a remote manager: leased through the connection of a process that
    /// connected (<see cref="LeasedSnapshotStore{TData}"/>), direct calls in the serving process.</summary>
    public static ISnapshotStore<TData> Open(IManagerLink link, ManagerObjectKind kind, uint tag, string name, long capacity, SnapshotStore<TData>.Decoder decode)
        => link is ManagerClient client
            ? new LeasedSnapshotStore<TData>(client, kind, tag, name, capacity, decode)
            : new RemoteSnapshotStore<TData>(link, kind, tag, name, capacity, decode);

    private readonly IManagerLink _link;
    private readonly int _id;
    private readonly SnapshotStore<TData>.Decoder _decode;
    private readonly SnapshotWriter _writer = new();
    private readonly object _gate = new(); // one call of this process at a time keeps the cache consistent
    private long _version = -1;
    private byte[] _entries = [];
    private TData? _data;
    private bool _disposed;

    public RemoteSnapshotStore(IManagerLink link, ManagerObjectKind kind, uint tag, string name, long capacity, SnapshotStore<TData>.Decoder decode)
    {
        _link = link;
        _decode = decode;
        Name = name;
        Capacity = capacity;
        _id = link.Open(kind, tag, capacity, name);
    }

    public string Name { get; }

    public long Capacity { get; }

    public bool IsDisposed => _disposed;

    public TData Read()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Refresh();
            return _data!;
        }
    }

    public TResult Write<TResult>(Func<TData, (TData? Next, TResult Result)> change, SnapshotStore<TData>.Encoder encode)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_data is null) Refresh();
            while (true)
            {
                var (next, result) = change(_data!);
                if (next is null)
                {
                    // Nothing to publish: the answer holds only if our copy was current.
                    long seen = _version;
                    Refresh();
                    if (_version == seen) return result;
                    continue;
                }
                _writer.Reset();
                int count = encode(next, _writer, _entries);
                var reply = _link.Call(ManagerMessage.Request(ManagerOp.Publish, _id).I64(_version).I32(count).Bytes(_writer.Written));
                var r = new ManagerReader(reply);
                bool stored = r.Bool();
                long version = r.I64();
                if (stored)
                {
                    (_version, _entries, _data) = (version, _writer.Written.ToArray(), next);
                    return result;
                }
                Take(version, ref r);
            }
        }
    }

    private void Refresh()
    {
        var reply = _link.Call(ManagerMessage.Request(ManagerOp.Read, _id).I64(_version));
        var r = new ManagerReader(reply);
        long version = r.I64();
        if (r.Bool()) Take(version, ref r);
    }

    private void Take(long version, ref ManagerReader r)
    {
        int count = r.I32();
        var entries = r.Bytes().ToArray();
        _data = _decode(entries, count);
        (_version, _entries) = (version, entries);
    }

    public void Dispose()
    {
        lock (_gate) _disposed = true; // the object stays on the server for the manager's other users
    }
}
