using System.Collections.Concurrent;

namespace NativeIpc.Manager;

/// <summary>A client process's lease connection to a remote manager: carries the snapshot objects' lease requests,
/// the exclusive holder's deltas and the server's revocations. A reader loop (async: no thread while idle) takes every
/// message the server sends, in order: it installs a granted lease before it reads the next message, and drops a
/// revoked one and acknowledges it at once, whether or not this process is in a call. See ARCHITECTURE.md,
/// "Remote manager: leases".</summary>
internal sealed class LeaseChannel : IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    private readonly ManagerClient _client;
    private readonly Connection _connection;
    private readonly StreamChannel _channel;
    private readonly ConcurrentDictionary<int, ISnapshotLease> _leases = new();
    private readonly SemaphoreSlim _requestLock = new(1, 1); // one request outstanding: its reply is the next Reply
    private Pending? _pending;
    private uint _sequence;
    private volatile bool _unsynced; // a delta was sent since the last answered request
    private int _requests;
    private volatile bool _readerDone; // set before the reader fails the pending request, read after a request is posted

    private sealed record Pending(uint Sequence, LeaseState Grant, ISnapshotLease? Lease)
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public LeaseChannel(ManagerClient client, Connection connection)
    {
        _client = client;
        _connection = connection;
        _channel = connection.Channel!;
        _ = Task.Run(ReadLoopAsync);
    }

    /// <summary>This process's cache of object <paramref name="id"/> (created on first use).</summary>
    public SnapshotLease<TData> Lease<TData>(int id, SnapshotStore<TData>.Decoder decode) where TData : class
        => (SnapshotLease<TData>)_leases.GetOrAdd(id, _ => new SnapshotLease<TData>(decode));

    public void ThrowIfBroken() => _client.ThrowIfBroken();

    /// <summary>Round trips made so far (lease requests and flushes): what the tests count.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Asks for a lease on <paramref name="id"/> and returns once the reader installed it (or throws what
    /// the server answered).</summary>
    public void Request(ManagerOp op, int id, ISnapshotLease lease)
        => Call(op == ManagerOp.LeaseAcquire ? LeaseState.Exclusive : LeaseState.Shared, lease,
                seq => ManagerMessage.Request(op, id).U32(seq).I64(lease.Version));

    /// <summary>Sends the exclusive holder's change (under the lease's gate, so it precedes any acknowledgement).</summary>
    public void SendDelta(int id, long baseVersion, int count, int prefix, int suffix, ReadOnlySpan<byte> middle)
    {
        Send(ManagerMessage.Request(ManagerOp.LeaseDelta, id).I64(baseVersion).I32(count).I32(prefix).I32(suffix).Bytes(middle));
        _unsynced = true;
    }

    /// <summary>Waits until the server applied every delta sent so far (bounded: a dead server is not waited for).</summary>
    public void Flush()
    {
        if (!_unsynced || _client.BrokenReason is not null) return;
        try { Call(LeaseState.None, null, seq => ManagerMessage.Request(ManagerOp.LeaseSync).U32(seq), FlushTimeout); }
        catch (Exception e) when (e is IpcException or ObjectDisposedException or TimeoutException) { }
    }

    private void Call(LeaseState grant, ISnapshotLease? lease, Func<uint, ManagerMessage> request, TimeSpan? timeout = null)
    {
        _requestLock.Wait();
        try
        {
            ThrowIfBroken();
            var pending = new Pending(++_sequence, grant, lease);
            Interlocked.Increment(ref _requests);
            Interlocked.Exchange(ref _pending, pending); // a full fence: either we see _readerDone or the reader sees us
            if (_readerDone) ThrowIfBroken();
            Send(request(pending.Sequence));
            if (timeout is { } t && !pending.Done.Task.Wait(t)) throw new TimeoutException();
            pending.Done.Task.GetAwaiter().GetResult();
            _unsynced = false; // the server answers a request after every delta sent before it (one connection, in order)
        }
        finally
        {
            _pending = null;
            _requestLock.Release();
        }
    }

    private void Send(ManagerMessage message)
    {
        try { _channel.Send(message.Written); }
        catch (Exception e) when (e is IpcPipeClosedException or IpcProtocolException or ObjectDisposedException)
        {
            _client.Break(e.Message);
            _client.ThrowIfBroken();
            throw;
        }
    }

    private async Task ReadLoopAsync()
    {
        string why = "the connection closed";
        try
        {
            while (true)
            {
                var message = await _channel.ReceiveAsync(Deadline.Infinite, CancellationToken.None).ConfigureAwait(false);
                Dispatch(message!);
            }
        }
        catch (Exception e) { why = e.Message; }
        _client.Break(why);
        _readerDone = true;
        Interlocked.MemoryBarrier();
        Volatile.Read(ref _pending)?.Done.TrySetException(_client.Gone(why));
    }

    private void Dispatch(byte[] message)
    {
        var r = new ManagerReader(message);
        switch ((LeasePush)r.U8())
        {
            case LeasePush.Revoke:
                int id = r.I32();
                if (_leases.TryGetValue(id, out var lease)) lease.Revoke();
                Send(ManagerMessage.Request(ManagerOp.LeaseAck, id));
                break;
            case LeasePush.Reply:
                uint seq = r.U32();
                var pending = _pending;
                if (pending is null || pending.Sequence != seq) throw new IpcProtocolException("A lease reply nobody asked for.");
                try
                {
                    var body = ManagerReplies.Check(r.Rest().ToArray());
                    pending.Lease?.Install(pending.Grant, body);
                    pending.Done.TrySetResult();
                }
                catch (Exception e) when (e is not IpcProtocolException) { pending.Done.TrySetException(e); }
                break;
            default:
                throw new IpcProtocolException("An unknown message on a manager's lease connection.");
        }
    }

    public void Dispose() => _connection.Dispose();
}
