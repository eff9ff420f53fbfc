using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace NativeIpc.Manager;

/// <summary>A process's connections to a remote manager: a call takes an idle connection (or opens one), so a call
/// that waits on the server (a queue get, a lock) never holds up another thread's calls. Once the server is gone every
/// call, waiting or new, throws at once.</summary>
internal sealed class ManagerClient : IManagerLink
{
    private readonly byte[]? _authKey;
    private readonly TimeSpan? _timeout;
    private readonly ClientOptions? _options;
    private readonly long _session = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) | 1; // never 0
    private readonly ConcurrentBag<Connection> _idle = [];
    private readonly ConcurrentDictionary<Connection, byte> _all = new();
    private readonly object _leasesGate = new();
    private LeaseChannel? _leases;
    private volatile string? _broken;
    private volatile bool _disposed;

    public ManagerClient(IpcAddress address, byte[]? authKey, TimeSpan? timeout, ClientOptions? options)
    {
        Address = address;
        _authKey = authKey?.ToArray();
        _timeout = timeout;
        _options = options;
        _idle.Add(Open(ManagerOp.Hello)); // fail now, not on the first call, if the server cannot be reached or the key is wrong
    }

    public IpcAddress Address { get; }

    /// <summary>Why the server is unreachable; null while it is.</summary>
    public string? BrokenReason => _broken;

    /// <summary>The lease connection of this process's snapshot objects (opened on first use).</summary>
    public LeaseChannel Leases
    {
        get
        {
            if (Volatile.Read(ref _leases) is { } open) return open;
            lock (_leasesGate)
            {
                ObjectDisposedException.ThrowIf(_disposed, nameof(IpcManager));
                ThrowIfBroken();
                return _leases ??= new LeaseChannel(this, Open(ManagerOp.HelloLease));
            }
        }
    }

    public void ThrowIfBroken()
    {
        ObjectDisposedException.ThrowIf(_disposed, nameof(IpcManager));
        if (_broken is { } why) throw Gone(why);
    }

    public byte[] Call(ManagerMessage request)
    {
        ObjectDisposedException.ThrowIf(_disposed, nameof(IpcManager));
        if (_broken is { } why) throw Gone(why);
        if (!_idle.TryTake(out var c)) c = Open(ManagerOp.Hello);
        byte[] reply;
        try
        {
            c.SendBytes(request.Written);
            reply = c.RecvBytes();
        }
        catch (Exception e) when (e is IpcPipeClosedException or IpcProtocolException or ObjectDisposedException)
        {
            Break(e.Message);
            throw Gone(e.Message);
        }
        _idle.Add(c);
        return ManagerReplies.Check(reply);
    }

    private Connection Open(ManagerOp hello)
    {
        var c = Client.Connect(Address, _authKey, _timeout, _options);
        try { c.SendBytes(ManagerMessage.Request(hello).I64(_session).Written); }
        catch
        {
            c.Dispose();
            throw;
        }
        _all[c] = 0;
        return c;
    }

    /// <summary>The server is gone: close every connection, which also wakes calls waiting on one.</summary>
    public void Break(string why)
    {
        _broken ??= why;
        foreach (var c in _all.Keys) c.Dispose();
    }

    public IpcPipeClosedException Gone(string why)
        => new($"The manager at {Address} is gone (its server stopped or the connection broke: {why}).");

    public void Dispose()
    {
        // Deltas are sent without waiting: the server has them all before this process's connections close.
        lock (_leasesGate) _leases?.Flush();
        _disposed = true;
        foreach (var c in _all.Keys) c.Dispose();
    }
}
