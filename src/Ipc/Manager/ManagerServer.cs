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
        try
        {
            var hello = await channel.ReceiveAsync(Deadline.Infinite, _stop.Token).ConfigureAwait(false);
            session = ReadHello(hello!);
            lock (_gate) _sessions[session] = _sessions.GetValueOrDefault(session) + 1;
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
            if (session != 0) EndConnection(session);
        }
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

    private static long ReadHello(byte[] hello)
    {
        var r = new ManagerReader(hello);
        if ((ManagerOp)r.U8() != ManagerOp.Hello) throw new IpcProtocolException("A manager connection must start with hello.");
        return r.I64();
    }

    /// <summary>Answers one request; failures become error replies (the connection goes on).</summary>
    public async ValueTask<byte[]> HandleAsync(long session, byte[] request, CancellationToken ct)
    {
        try { return (await Dispatch(session, request, ct).ConfigureAwait(false)).Written.ToArray(); }
        catch (InvalidCastException)
        {
            return ManagerMessage.Reply(ManagerStatus.Mismatch).Str("The request does not fit that object's kind.").Written.ToArray();
        }
        catch (IpcCapacityExceededException e)
        {
            return ManagerMessage.Reply(ManagerStatus.Capacity).I64(e.RequiredBytes).I64(e.CapacityBytes).Written.ToArray();
        }
        catch (IpcException e)
        {
            return ManagerMessage.Reply(ManagerStatus.Error).Str(e.Message).Written.ToArray();
        }
    }

    /// <summary>Reads the request's arguments and runs it; waiting requests complete later.</summary>
    private ValueTask<ManagerMessage> Dispatch(long session, byte[] request, CancellationToken ct)
    {
        var r = new ManagerReader(request);
        var op = (ManagerOp)r.U8();
        if (op == ManagerOp.Open) return new(Open(ref r));
        var target = Get(r.I32());
        return op switch
        {
            ManagerOp.Read => new(((SnapshotObject)target).Read(r.I64())),
            ManagerOp.Publish => new(((SnapshotObject)target).Publish(r.I64(), r.I32(), r.Bytes())),
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
                return ManagerMessage.Reply().I32(existing.Id);
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
            return ManagerMessage.Reply().I32(created.Id);
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

    /// <summary>A collection's serialized snapshot; replaced only by a publish that saw the current version.</summary>
    private sealed class SnapshotObject(long capacity) : ServerObject
    {
        private long _version;
        private int _count;
        private byte[] _entries = [];

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
