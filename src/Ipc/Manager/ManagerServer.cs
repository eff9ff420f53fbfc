using System.Collections.Concurrent;

namespace NativeIpc.Manager;

/// <summary>The server half of a remote manager: holds named objects and answers requests from connections a
/// <see cref="Listener"/> accepted (and from the serving process itself, in process). It never decodes what it
/// stores: collections are opaque snapshots published with a version check, queue items are opaque bytes, so no type
/// is ever named on the wire. One async loop per connection, no thread.</summary>
internal sealed class ManagerServer : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ServerObject> _byName = [];
    private readonly List<ServerObject> _byId = [];
    private readonly Dictionary<long, int> _sessions = []; // session → open connections
    private readonly CancellationTokenSource _stop = new();
    private readonly Listener? _listener;
    private readonly Task? _acceptLoop;
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();

    public ManagerServer(Listener? listener)
    {
        _listener = listener;
        if (listener is not null) _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener?.Dispose();
        foreach (var c in _connections.Keys) c.Dispose(); // every client's next call (and a blocked one) fails at once
        try { _acceptLoop?.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Connection c;
            try { c = await _listener!.AcceptAsync(_stop.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { break; }
            _connections[c] = 0;
            _ = ServeAsync(c);
        }
    }

    /// <summary>Answers one connection's requests in order until it closes; a client that dies mid-call ends only this.</summary>
    private async Task ServeAsync(Connection connection)
    {
        var channel = connection.Channel!;
        long session = 0;
        LeaseHolder? leases = null;
        try
        {
            var hello = await channel.ReceiveAsync(Deadline.Infinite, _stop.Token).ConfigureAwait(false);
            (session, bool lease) = ReadHello(hello!);
            lock (_gate) _sessions[session] = _sessions.GetValueOrDefault(session) + 1;
            if (lease)
            {
                leases = new LeaseHolder(connection);
                await ServeLeasesAsync(leases).ConfigureAwait(false);
                return;
            }
            while (true)
            {
                var request = await channel.ReceiveAsync(Deadline.Infinite, _stop.Token).ConfigureAwait(false);
                // A waiting call (queue get, lock, event) ends when its client goes: it sends nothing while it waits,
                // so anything readable then is its end of stream.
                using var gone = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var handling = HandleAsync(session, request!, gone.Token).AsTask();
                if (!handling.IsCompleted)
                {
                    var closed = channel.PollAsync(Deadline.Infinite, gone.Token).AsTask();
                    if (await Task.WhenAny(handling, closed).ConfigureAwait(false) == closed) gone.Cancel();
                    var reply = await handling.ConfigureAwait(false);
                    gone.Cancel();
                    try { await closed.ConfigureAwait(false); } catch (OperationCanceledException) { }
                    if (closed.IsCompletedSuccessfully) break;
                    await channel.SendAsync(reply, _stop.Token).ConfigureAwait(false);
                }
                else await channel.SendAsync(handling.Result, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IpcException or ObjectDisposedException or OperationCanceledException or IOException) { }
        finally
        {
            connection.Dispose();
            _connections.TryRemove(connection, out _);
            if (leases is not null) DropLeases(leases);
            if (session != 0) EndConnection(session);
        }
    }

    /// <summary>A client's lease connection: deltas and acknowledgements are handled in arrival order, before the
    /// next message is read (so a revocation completes only after the holder's earlier deltas are applied); lease
    /// requests run concurrently, since one may wait for another client's acknowledgement.</summary>
    private async Task ServeLeasesAsync(LeaseHolder holder)
    {
        while (true)
        {
            var message = await holder.Channel.ReceiveAsync(Deadline.Infinite, _stop.Token).ConfigureAwait(false);
            try { OnLeaseMessage(holder, message!); }
            catch (InvalidCastException) { throw new IpcProtocolException("A lease message for an object that is not a collection."); }
        }
    }

    private void OnLeaseMessage(LeaseHolder holder, byte[] message)
    {
        var r = new ManagerReader(message);
        var op = (ManagerOp)r.U8();
        switch (op)
        {
            case ManagerOp.LeaseAck:
                holder.Acked(r.I32());
                break;
            case ManagerOp.LeaseDelta:
                var target = (SnapshotObject)Get(r.I32());
                long baseVersion = r.I64();
                int count = r.I32(), prefix = r.I32(), suffix = r.I32();
                target.ApplyDelta(holder, baseVersion, count, prefix, suffix, r.Bytes());
                break;
            case ManagerOp.LeaseRead or ManagerOp.LeaseAcquire:
                int id = r.I32();
                uint seq = r.U32();
                _ = GrantAsync(holder, op == ManagerOp.LeaseAcquire, id, seq, r.I64());
                break;
            case ManagerOp.LeaseSync:
                _ = holder.ReplyAsync(r.U32(), ManagerMessage.Reply());
                break;
            default:
                throw new IpcProtocolException($"Unknown manager lease request {op}.");
        }
    }

    private async Task GrantAsync(LeaseHolder holder, bool exclusive, int id, uint seq, long have)
    {
        try
        {
            if (Get(id) is not SnapshotObject target) throw new InvalidCastException();
            await target.GrantAsync(holder, exclusive, have, seq).ConfigureAwait(false);
        }
        catch (Exception e) when (Failure(e) is { } reply) { await holder.ReplyAsync(seq, reply).ConfigureAwait(false); }
    }

    private void DropLeases(LeaseHolder holder)
    {
        holder.End();
        List<ServerObject> objects;
        lock (_gate) objects = [.. _byId];
        foreach (var o in objects) if (o is SnapshotObject s) s.Drop(holder);
    }

    private void EndConnection(long session)
    {
        List<ServerObject> objects;
        lock (_gate)
        {
            int left = _sessions.GetValueOrDefault(session) - 1;
            if (left > 0) { _sessions[session] = left; return; }
            _sessions.Remove(session);
            objects = [.. _byId];
        }
        // The session's last connection is gone (its process died or disposed its manager): free its locks.
        foreach (var o in objects) if (o is LockObject l) l.ReleaseIfOwnedBy(session);
    }

    private static (long Session, bool Lease) ReadHello(byte[] hello)
    {
        var r = new ManagerReader(hello);
        var op = (ManagerOp)r.U8();
        if (op is not (ManagerOp.Hello or ManagerOp.HelloLease)) throw new IpcProtocolException("A manager connection must start with hello.");
        return (r.I64(), op == ManagerOp.HelloLease);
    }

    /// <summary>Answers one request; failures become error replies (the connection goes on).</summary>
    public async ValueTask<byte[]> HandleAsync(long session, byte[] request, CancellationToken ct)
    {
        try { return (await Dispatch(session, request, ct).ConfigureAwait(false)).Written.ToArray(); }
        catch (Exception e) when (Failure(e) is { } reply) { return reply.Written.ToArray(); }
    }

    /// <summary>The error reply for a failed request; null for an exception that is not the request's fault.</summary>
    private static ManagerMessage? Failure(Exception e) => e switch
    {
        InvalidCastException => ManagerMessage.Reply(ManagerStatus.Mismatch).Str("The request does not fit that object's kind."),
        IpcCapacityExceededException c => ManagerMessage.Reply(ManagerStatus.Capacity).I64(c.RequiredBytes).I64(c.CapacityBytes),
        IpcException => ManagerMessage.Reply(ManagerStatus.Error).Str(e.Message),
        _ => null,
    };

    /// <summary>Reads the request's arguments and runs it; waiting requests complete later.</summary>
    private ValueTask<ManagerMessage> Dispatch(long session, byte[] request, CancellationToken ct)
    {
        var r = new ManagerReader(request);
        var op = (ManagerOp)r.U8();
        if (op == ManagerOp.Open) return new(Open(ref r));
        var target = Get(r.I32());
        return op switch
        {
            ManagerOp.Read => ((SnapshotObject)target).ReadAsync(r.I64()),
            ManagerOp.Publish => ((SnapshotObject)target).PublishAsync(r.I64(), r.I32(), r.Bytes().ToArray()),
            ManagerOp.QueuePut => new(((QueueObject)target).Put(r.Bytes().ToArray())),
            ManagerOp.QueueGet => new(((QueueObject)target).GetAsync(r.I32(), ct)),
            ManagerOp.QueueCount => new(ManagerMessage.Reply().I32(((QueueObject)target).Count)),
            ManagerOp.LockAcquire => new(((LockObject)target).AcquireAsync(session, r.I32(), ct)),
            ManagerOp.LockRelease => new(((LockObject)target).Release()),
            ManagerOp.EventSet => new(((EventObject)target).Set()),
            ManagerOp.EventClear => new(((EventObject)target).Clear()),
            ManagerOp.EventIsSet => new(ManagerMessage.Reply().Bool(((EventObject)target).IsSet)),
            ManagerOp.EventWait => new(((EventObject)target).WaitAsync(r.I32(), ct)),
            _ => throw new IpcProtocolException($"Unknown manager request {op}."),
        };
    }

    private ManagerMessage Open(ref ManagerReader r)
    {
        var kind = (ManagerObjectKind)r.U8();
        uint tag = r.U32();
        long capacity = r.I64();
        string name = r.Str();
        lock (_gate)
        {
            if (_byName.TryGetValue(name, out var existing))
            {
                if (existing.Kind != kind || existing.Tag != tag)
                    return ManagerMessage.Reply(ManagerStatus.Mismatch).Str($"'{name}' on this manager is a {existing.Kind} of other types.");
                return ManagerMessage.Reply().I32(existing.Id).I64((existing as SnapshotObject)?.Capacity ?? 0);
            }
            if (capacity <= 0) throw new IpcException("A capacity must be positive.");
            ServerObject created = kind switch
            {
                ManagerObjectKind.Dict or ManagerObjectKind.List or ManagerObjectKind.Value => new SnapshotObject(capacity),
                ManagerObjectKind.Queue => new QueueObject(),
                ManagerObjectKind.Lock => new LockObject(),
                ManagerObjectKind.Event => new EventObject(),
                _ => throw new IpcProtocolException($"Unknown object kind {kind}."),
            };
            created.Init(_byId.Count, kind, tag);
            _byId.Add(created);
            _byName[name] = created;
            return ManagerMessage.Reply().I32(created.Id).I64((created as SnapshotObject)?.Capacity ?? 0);
        }
    }

    private ServerObject Get(int id)
    {
        lock (_gate) return (uint)id < (uint)_byId.Count ? _byId[id] : throw new IpcException($"No object {id} on this manager.");
    }

    private abstract class ServerObject
    {
        public int Id { get; private set; }
        public ManagerObjectKind Kind { get; private set; }
        public uint Tag { get; private set; }

        public void Init(int id, ManagerObjectKind kind, uint tag) => (Id, Kind, Tag) = (id, kind, tag);
    }

    /// <summary>A collection's serialized snapshot; replaced only by a publish that saw the current version, or changed
    /// by a delta from the client holding the exclusive lease. Lease changes (grants, and the revocations they need)
    /// are serialized by <see cref="_transition"/>; the fields are read and written under <c>lock (this)</c>.</summary>
    private sealed class SnapshotObject(long capacity) : ServerObject
    {
        private readonly SemaphoreSlim _transition = new(1, 1);
        private readonly HashSet<LeaseHolder> _readers = [];
        private LeaseHolder? _owner;
        private long _version;
        private int _count;
        private byte[] _entries = [];

        public long Capacity => capacity;

        /// <summary>Read without a lease (the serving process's own stores): the exclusive holder's deltas first.</summary>
        public async ValueTask<ManagerMessage> ReadAsync(long have)
        {
            await _transition.WaitAsync().ConfigureAwait(false);
            try
            {
                await RevokeAsync(except: null, readers: false).ConfigureAwait(false);
                return Read(have);
            }
            finally { _transition.Release(); }
        }

        /// <summary>Publish without a lease: every lease is revoked first, so no process reads a stale copy after.</summary>
        public async ValueTask<ManagerMessage> PublishAsync(long expected, int count, byte[] entries)
        {
            if (entries.Length > capacity) throw new IpcCapacityExceededException(entries.Length, capacity);
            await _transition.WaitAsync().ConfigureAwait(false);
            try
            {
                await RevokeAsync(except: null, readers: true).ConfigureAwait(false);
                return Publish(expected, count, entries);
            }
            finally { _transition.Release(); }
        }

        /// <summary>Grants <paramref name="holder"/> a shared or the exclusive lease and answers it with the snapshot.
        /// The answer is sent before the next lease change can send this holder a revocation (same connection, in
        /// order), so the client installs the lease before it could see its revocation.</summary>
        public async Task GrantAsync(LeaseHolder holder, bool exclusive, long have, uint seq)
        {
            await _transition.WaitAsync().ConfigureAwait(false);
            try
            {
                await RevokeAsync(except: holder, readers: exclusive).ConfigureAwait(false);
                ManagerMessage reply;
                lock (this)
                {
                    if (holder.IsGone) return;
                    if (exclusive)
                    {
                        _owner = holder;
                        _readers.Remove(holder);
                    }
                    else if (_owner != holder) _readers.Add(holder);
                    reply = Read(have);
                }
                await holder.ReplyAsync(seq, reply).ConfigureAwait(false);
            }
            finally { _transition.Release(); }
        }

        /// <summary>Revokes the exclusive lease (and, with <paramref name="readers"/>, the shared ones) of everyone but
        /// <paramref name="except"/>, waiting for each holder's acknowledgement (under <see cref="_transition"/>).</summary>
        private async Task RevokeAsync(LeaseHolder? except, bool readers)
        {
            LeaseHolder? owner;
            LeaseHolder[] shared;
            lock (this)
            {
                owner = _owner != except ? _owner : null;
                shared = readers ? [.. _readers.Where(r => r != except)] : [];
            }
            if (owner is null && shared.Length == 0) return;
            var acks = new List<Task>(shared.Length + 1);
            if (owner is not null) acks.Add(owner.RevokeAsync(Id));
            foreach (var r in shared) acks.Add(r.RevokeAsync(Id));
            await Task.WhenAll(acks).ConfigureAwait(false);
            lock (this)
            {
                if (owner is not null && _owner == owner) _owner = null;
                foreach (var r in shared) _readers.Remove(r);
            }
        }

        /// <summary>The exclusive holder's change; anything else is a broken client (its connection is closed).</summary>
        public void ApplyDelta(LeaseHolder holder, long baseVersion, int count, int prefix, int suffix, ReadOnlySpan<byte> middle)
        {
            lock (this)
            {
                if (_owner != holder || baseVersion != _version || count < 0)
                    throw new IpcProtocolException("A change to a collection from a process that does not hold its exclusive lease.");
                _entries = SnapshotDelta.Apply(_entries, prefix, suffix, middle, capacity)
                    ?? throw new IpcProtocolException("A change to a collection that does not fit it.");
                _count = count;
                _version++;
            }
        }

        /// <summary>The holder's connection ended: it holds nothing any more.</summary>
        public void Drop(LeaseHolder holder)
        {
            lock (this)
            {
                if (_owner == holder) _owner = null;
                _readers.Remove(holder);
            }
        }

        public ManagerMessage Read(long have)
        {
            lock (this)
            {
                var reply = ManagerMessage.Reply().I64(_version).Bool(have != _version);
                return have != _version ? reply.I32(_count).Bytes(_entries) : reply;
            }
        }

        public ManagerMessage Publish(long expected, int count, ReadOnlySpan<byte> entries)
        {
            if (entries.Length > capacity) throw new IpcCapacityExceededException(entries.Length, capacity);
            if (count < 0) throw new IpcProtocolException("A negative entry count.");
            lock (this)
            {
                if (expected != _version) return ManagerMessage.Reply().Bool(false).I64(_version).I32(_count).Bytes(_entries);
                _entries = entries.ToArray();
                _count = count;
                _version++;
                return ManagerMessage.Reply().Bool(true).I64(_version);
            }
        }
    }

    private sealed class QueueObject : ServerObject
    {
        private readonly ConcurrentQueue<byte[]> _items = new();
        private readonly SemaphoreSlim _available = new(0);

        public int Count => _items.Count;

        public ManagerMessage Put(byte[] item)
        {
            _items.Enqueue(item);
            _available.Release();
            return ManagerMessage.Reply();
        }

        public async Task<ManagerMessage> GetAsync(int timeoutMs, CancellationToken ct)
        {
            if (!await _available.WaitAsync(timeoutMs, ct).ConfigureAwait(false)) return ManagerMessage.Reply().Bool(false);
            _items.TryDequeue(out var item);
            return ManagerMessage.Reply().Bool(true).Bytes(item);
        }
    }

    private sealed class LockObject : ServerObject
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private long _owner;

        public async Task<ManagerMessage> AcquireAsync(long session, int timeoutMs, CancellationToken ct)
        {
            if (!await _lock.WaitAsync(timeoutMs, ct).ConfigureAwait(false)) return ManagerMessage.Reply().Bool(false);
            Volatile.Write(ref _owner, session);
            return ManagerMessage.Reply().Bool(true);
        }

        public ManagerMessage Release()
        {
            lock (this)
            {
                if (_lock.CurrentCount != 0) return ManagerMessage.Reply(ManagerStatus.NotHeld).Str("The lock is not held.");
                _owner = 0;
                _lock.Release();
            }
            return ManagerMessage.Reply();
        }

        public void ReleaseIfOwnedBy(long session)
        {
            lock (this)
            {
                if (_owner != session || _lock.CurrentCount != 0) return;
                _owner = 0;
                _lock.Release();
            }
        }
    }

    private sealed class EventObject : ServerObject
    {
        private TaskCompletionSource _set = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsSet => _set.Task.IsCompleted;

        public ManagerMessage Set()
        {
            lock (this) _set.TrySetResult();
            return ManagerMessage.Reply();
        }

        public ManagerMessage Clear()
        {
            lock (this) if (_set.Task.IsCompleted) _set = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return ManagerMessage.Reply();
        }

        public async Task<ManagerMessage> WaitAsync(int timeoutMs, CancellationToken ct)
        {
            Task set;
            lock (this) set = _set.Task;
            try { await set.WaitAsync(timeoutMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(timeoutMs), ct).ConfigureAwait(false); }
            catch (TimeoutException) { return ManagerMessage.Reply().Bool(false); }
            return ManagerMessage.Reply().Bool(true);
        }
    }
}
