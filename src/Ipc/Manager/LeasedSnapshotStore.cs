namespace NativeIpc.Manager;

/// <summary>A collection's snapshot on a remote manager, read and changed through a lease (<see cref="LeaseChannel"/>):
/// a read with a lease is answered from this process's copy with no round trip; a change with the exclusive lease is
/// applied to the copy and sent as a delta without waiting for an answer. Without the lease, one round trip gets it
/// (the server first revokes it from every other holder: see ARCHITECTURE.md, "Remote manager: leases").</summary>
internal sealed class LeasedSnapshotStore<TData> : ISnapshotStore<TData> where TData : class
{
    private readonly LeaseChannel _channel;
    private readonly SnapshotLease<TData> _lease;
    private readonly int _id;
    private readonly long _serverCapacity;
    private readonly SnapshotWriter _writer = new();
    private volatile bool _disposed;

    public LeasedSnapshotStore(ManagerClient client, ManagerObjectKind kind, uint tag, string name, long capacity, SnapshotStore<TData>.Decoder decode)
    {
        Name = name;
        Capacity = capacity;
        var r = new ManagerReader(client.Call(ManagerMessage.Request(ManagerOp.Open).U8((byte)kind).U32(tag).I64(capacity).Str(name)));
        _id = r.I32();
        _serverCapacity = r.I64(); // the first opener's: what the server enforces
        _channel = client.Leases;
        _lease = _channel.Lease(_id, decode);
    }

    public string Name { get; }

    public long Capacity { get; }

    public bool IsDisposed => _disposed;

    public TData Read()
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _channel.ThrowIfBroken();
            lock (_lease.Gate)
            {
                if (_lease.State != LeaseState.None) return _lease.Current;
            }
            _channel.Request(ManagerOp.LeaseRead, _id, _lease);
        }
    }

    public TResult Write<TResult>(Func<TData, (TData? Next, TResult Result)> change, SnapshotStore<TData>.Encoder encode)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _channel.ThrowIfBroken();
            lock (_lease.Gate)
            {
                if (_lease.State == LeaseState.Exclusive)
                {
                    // Our copy is the current snapshot: errors are decided here, on the call that caused them.
                    var (next, result) = change(_lease.Current);
                    if (next is null) return result;
                    var previous = _lease.Entries;
                    _writer.Reset();
                    int count = encode(next, _writer, previous);
                    var written = _writer.Written;
                    if (written.Length > _serverCapacity) throw new IpcCapacityExceededException(written.Length, _serverCapacity);
                    var (prefix, suffix) = SnapshotDelta.Find(previous, written);
                    _channel.SendDelta(_id, _lease.Version, count, prefix, suffix, written[prefix..(written.Length - suffix)]);
                    _lease.Commit(written.ToArray(), count, next);
                    return result;
                }
            }
            _channel.Request(ManagerOp.LeaseAcquire, _id, _lease);
        }
    }

    public void Dispose() => _disposed = true; // the cache and its lease stay with the connection (other stores may share them)
}
