using System.IO.Pipes;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;

namespace NativeIpc;

/// <summary>Accepts connections from other processes — unrelated ones, or on other machines — on a TCP port, a Unix
/// socket or a Windows named pipe, each authenticated with an authkey the way CPython's
/// <c>multiprocessing.connection.Listener</c> does it, so a Python <c>Client(address, authkey=…)</c> can connect.</summary>
/// <remarks>
/// <para>Connections are accepted and authenticated in the background, asynchronously (no thread per connection,
/// at most <see cref="ListenerOptions.MaxPendingHandshakes"/> at a time, each bounded by
/// <see cref="NetConnectionOptions.HandshakeTimeout"/>); <see cref="Accept"/> hands out the ones that passed. A
/// connection that fails (wrong key, garbage, silence, a dropped socket) is closed and counted in
/// <see cref="RejectedConnections"/>; the listener goes on. Python's <c>accept()</c> raises instead.</para>
/// <para>The connections are <see cref="Connection"/>s: <c>SendBytes</c>/<c>RecvBytes</c> speak Python's
/// <c>send_bytes</c>/<c>recv_bytes</c> framing; typed <c>Send&lt;T&gt;</c>/<c>Recv&lt;T&gt;</c> is for two NativeIpc ends.</para>
/// <para>Python: multiprocessing.connection.Listener</para>
/// </remarks>
public sealed class Listener : IDisposable
{
    private readonly byte[]? _authKey;
    private readonly ListenerOptions _options;
    private readonly Socket? _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<Connection> _accepted;
    private readonly SemaphoreSlim _handshakeSlots;
    private readonly Task _pump;
    private long _rejected;
    private Exception? _lastRejection;
    private int _disposed;

    /// <summary>Starts listening on <paramref name="address"/>.</summary>
    /// <param name="address">Where to listen; a TCP port 0 picks a free port (see <see cref="Address"/>).</param>
    /// <param name="authKey">The shared secret every client must prove it knows (both ways). Null: no handshake —
    /// refused for TCP unless <see cref="ListenerOptions.TrustedNetwork"/>.</param>
    /// <param name="options">Limits, TLS, handshake form; null: defaults.</param>
    /// <exception cref="ArgumentException">TCP without an authkey on a network not declared trusted; or TLS on a
    /// non-TCP address.</exception>
    /// <exception cref="SocketException">The address is in use or cannot be bound.</exception>
    /// <remarks>Python: Listener(address, family=None, backlog=1, authkey=None)</remarks>
    public Listener(IpcAddress address, byte[]? authKey = null, ListenerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        _options = options ?? new ListenerOptions();
        _options.Validate();
        if (authKey is null && address.Family == IpcAddressFamily.Tcp && !_options.TrustedNetwork)
            throw new ArgumentException("A TCP listener needs an authkey: anyone who reaches the port could send it messages. Pass one, or set ListenerOptions.TrustedNetwork.", nameof(authKey));
        if (_options.Tls is not null && address.Family != IpcAddressFamily.Tcp)
            throw new ArgumentException("TLS is offered for TCP addresses only.", nameof(options));
        _authKey = authKey?.ToArray();
        _handshakeSlots = new SemaphoreSlim(Math.Max(1, _options.MaxPendingHandshakes));
        _accepted = Channel.CreateBounded<Connection>(new BoundedChannelOptions(Math.Max(1, _options.AcceptQueueLength)) { SingleWriter = false });
        if (address.Family == IpcAddressFamily.NamedPipe)
        {
            Address = address;
            _pump = Task.Run(PipePumpAsync);
            return;
        }
        var endPoint = address.ToEndPoint();
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, address.Family == IpcAddressFamily.Tcp ? ProtocolType.Tcp : ProtocolType.Unspecified);
        try
        {
            if (address.Family == IpcAddressFamily.Tcp) _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.Bind(endPoint);
            _socket.Listen(_options.Backlog);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        Address = address.Family == IpcAddressFamily.Tcp ? address.WithPort(((System.Net.IPEndPoint)_socket.LocalEndPoint!).Port) : address;
        _pump = Task.Run(SocketPumpAsync);
    }

    /// <summary>The address clients connect to (with the port a TCP listener picked).</summary>
    /// <remarks>Python: Listener.address</remarks>
    public IpcAddress Address { get; }

    /// <summary>Connections closed because their handshake failed (wrong key, garbage, silence, dropped).</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>Why the latest rejected connection was rejected; null if none was.</summary>
    public Exception? LastRejection => Volatile.Read(ref _lastRejection);

    /// <summary>Waits for the next authenticated connection.</summary>
    /// <param name="timeout">How long to wait; null waits until one comes or the listener is closed.</param>
    /// <exception cref="TimeoutException">None came in time.</exception>
    /// <exception cref="ObjectDisposedException">The listener is closed (also while waiting).</exception>
    /// <remarks>Python: Listener.accept()</remarks>
    public Connection Accept(TimeSpan? timeout = null)
    {
        var deadline = Deadline.From(timeout);
        if (_accepted.Reader.TryRead(out var ready)) return ready;
        var wait = AcceptCoreAsync(CancellationToken.None).AsTask();
        try
        {
            if (!wait.Wait(deadline.RemainingMilliseconds))
            {
                // Hand a connection that arrives later to the next Accept rather than dropping it.
                _ = wait.ContinueWith(t => { if (t.IsCompletedSuccessfully) Requeue(t.Result); }, TaskScheduler.Default);
                throw new TimeoutException($"No connection was accepted within {timeout}.");
            }
            return wait.Result;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            throw;
        }
    }

    /// <summary>Waits for the next authenticated connection without holding a thread.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ObjectDisposedException">The listener is closed (also while waiting).</exception>
    /// <remarks>Python: Listener.accept() (no asyncio equivalent)</remarks>
    public ValueTask<Connection> AcceptAsync(CancellationToken cancellationToken = default) => AcceptCoreAsync(cancellationToken);

    private async ValueTask<Connection> AcceptCoreAsync(CancellationToken ct)
    {
        try { return await _accepted.Reader.ReadAsync(ct).ConfigureAwait(false); }
        catch (ChannelClosedException) { throw new ObjectDisposedException(nameof(Listener)); }
    }

    private void Requeue(Connection c)
    {
        if (!_accepted.Writer.TryWrite(c)) c.Dispose();
    }

    /// <summary>Stops listening: no new connections; a Unix socket's file is removed; connections already accepted
    /// stay open. Waiting <see cref="Accept"/> calls throw <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Python: Listener.close()</remarks>
    public void Close() => Dispose();

    /// <inheritdoc cref="Close"/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _socket?.Dispose();
        try { _pump.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _accepted.Writer.TryComplete();
        while (_accepted.Reader.TryRead(out var c)) c.Dispose(); // authenticated but never accepted
        if (Address.Family == IpcAddressFamily.Unix) try { File.Delete(Address.Path!); } catch (IOException) { }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Listener({Address})";

    // ---------------------------------------------------------------- the accept pump

    private async Task SocketPumpAsync()
    {
        var ct = _stop.Token;
        var tasks = new HashSet<Task>();
        while (!ct.IsCancellationRequested)
        {
            try { await _handshakeSlots.WaitAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
            Socket client;
            try { client = await _socket!.AcceptAsync(ct).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || ct.IsCancellationRequested)
            {
                _handshakeSlots.Release();
                break;
            }
            catch (SocketException e)
            {
                _handshakeSlots.Release();
                Reject(e); // e.g. out of descriptors: that one connection is lost, the listener goes on
                continue;
            }
            Track(tasks, AdmitSocketAsync(client, ct));
        }
        await DrainAsync(tasks).ConfigureAwait(false);
    }

    private async Task AdmitSocketAsync(Socket client, CancellationToken stop)
    {
        try
        {
            if (client.ProtocolType == ProtocolType.Tcp) client.NoDelay = true;
            Stream stream = new NetworkStream(client, ownsSocket: true);
            await AdmitAsync(stream, client, stop).ConfigureAwait(false);
        }
        finally { _handshakeSlots.Release(); }
    }

    private async Task PipePumpAsync()
    {
        var ct = _stop.Token;
        var tasks = new HashSet<Task>();
        while (!ct.IsCancellationRequested)
        {
            try { await _handshakeSlots.WaitAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
            var server = new NamedPipeServerStream(Address.Path!, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances,
                                                   PipeTransmissionMode.Byte, PipeOptions.Asynchronous);
            try { await server.WaitForConnectionAsync(ct).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException || ct.IsCancellationRequested)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                _handshakeSlots.Release();
                break;
            }
            catch (IOException e)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                _handshakeSlots.Release();
                Reject(e);
                continue;
            }
            Track(tasks, AdmitPipeAsync(server, ct));
        }
        await DrainAsync(tasks).ConfigureAwait(false);
    }

    private async Task AdmitPipeAsync(Stream stream, CancellationToken stop)
    {
        try { await AdmitAsync(stream, null, stop).ConfigureAwait(false); }
        finally { _handshakeSlots.Release(); }
    }

    /// <summary>TLS (if configured) and the authkey challenge, bounded by the handshake timeout; a connection that
    /// passes goes to the accept queue, one that fails is closed and counted.</summary>
    private async Task AdmitAsync(Stream stream, Socket? socket, CancellationToken stop)
    {
        StreamChannel? channel = null;
        bool handedOff = false;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (_options.HandshakeTimeout != Timeout.InfiniteTimeSpan) limit.CancelAfter(_options.HandshakeTimeout);
        try
        {
            if (_options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(tls, limit.Token).ConfigureAwait(false);
                socket = null; // reads must go through TLS
            }
            channel = new StreamChannel(stream, socket, _options.MaxMessageBytes);
            if (_authKey is not null)
            {
                // A timeout must also end a read that is blocked in the stream: closing the channel does that.
                using var _ = limit.Token.Register(static c => ((StreamChannel)c!).Dispose(), channel);
                await Net.Handshake.AsServerAsync(channel, _authKey, _options, limit.Token).ConfigureAwait(false);
            }
            var connection = new Connection(channel);
            handedOff = true;
            try { await _accepted.Writer.WriteAsync(connection, stop).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException) { connection.Dispose(); }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!stop.IsCancellationRequested)
                Reject(limit.IsCancellationRequested ? new TimeoutException($"The peer did not complete the handshake within {_options.HandshakeTimeout}.", e) : e);
        }
        finally
        {
            if (handedOff) { }
            else if (channel is not null) channel.Dispose();
            else await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Reject(Exception e)
    {
        Interlocked.Increment(ref _rejected);
        Volatile.Write(ref _lastRejection, e);
    }

    private static void Track(HashSet<Task> tasks, Task task)
    {
        lock (tasks) tasks.Add(task);
        _ = task.ContinueWith(t => { lock (tasks) tasks.Remove(t); }, TaskScheduler.Default);
    }

    private static async Task DrainAsync(HashSet<Task> tasks)
    {
        Task[] left;
        lock (tasks) left = [.. tasks];
        try { await Task.WhenAll(left).ConfigureAwait(false); } catch { } // each reported its own failure
    }
}
