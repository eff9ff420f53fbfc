namespace NativeIpc.Manager;

/// <summary>This process's cached copy of one snapshot object on a remote manager, with the lease that says whether
/// it may be used: one per object id and connection, shared by every store that opened the object (so two
/// <c>IpcDict</c> instances of one name in one process never disagree). Every field is read and written under
/// <see cref="Gate"/>, which is held only for local work and a delta's send, never across a round trip (the lease
/// channel's reader takes it to revoke).</summary>
internal sealed class SnapshotLease<TData>(SnapshotStore<TData>.Decoder decode) : ISnapshotLease where TData : class
{
    public readonly object Gate = new();
    private long _version = -1;
    private byte[] _entries = [];
    private int _count;
    private TData? _data; // decoded from _entries; null until a reader needs it

    public LeaseState State { get; private set; }

    public long Version
    {
        get { lock (Gate) return _version; }
    }

    /// <summary>The entries' bytes (under <see cref="Gate"/>).</summary>
    public ReadOnlySpan<byte> Entries => _entries;

    /// <summary>The decoded snapshot (under <see cref="Gate"/>, with a lease).</summary>
    public TData Current => _data ??= decode(_entries, _count);

    /// <summary>Our own change, already sent as a delta: the next version (under <see cref="Gate"/>, exclusive).</summary>
    public void Commit(byte[] entries, int count, TData data)
    {
        (_entries, _count, _data) = (entries, count, data);
        _version++;
    }

    public void Revoke()
    {
        lock (Gate) State = LeaseState.None;
    }

    public void Install(LeaseState state, ReadOnlySpan<byte> reply)
    {
        var r = new ManagerReader(reply);
        long version = r.I64();
        bool changed = r.Bool();
        int count = changed ? r.I32() : 0;
        byte[]? entries = changed ? r.Bytes().ToArray() : null;
        if (count < 0) throw new IpcProtocolException("A negative entry count.");
        lock (Gate)
        {
            if (entries is not null) (_entries, _count, _data) = (entries, count, null);
            _version = version;
            State = state;
        }
    }
}
