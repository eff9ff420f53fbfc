using System.IO.Pipes;
using System.Net.Security;
using System.Net.Sockets;

namespace NativeIpc;

/// <summary>Connects to a <see cref="Listener"/> — or to CPython's <c>multiprocessing.connection.Listener</c> — and
/// authenticates with the authkey both ways.</summary>
/// <remarks>Python: multiprocessing.connection.Client</remarks>
public static class Client
{
    /// <summary>Connects to <paramref name="address"/> and, with an authkey, answers the listener's challenge and
    /// challenges it in turn.</summary>
    /// <param name="address">The listener's address.</param>
    /// <param name="authKey">The shared secret; null: no handshake (the listener must have none either).</param>
    /// <param name="timeout">Bounds the connect (the handshake has <see cref="NetConnectionOptions.HandshakeTimeout"/>); null: no bound.</param>
    /// <param name="options">Limits, TLS, handshake form; null: defaults.</param>
    /// <returns>An open <see cref="Connection"/>.</returns>
    /// <exception cref="IpcAuthenticationException">The keys differ (either side found out); the connection is closed.</exception>
    /// <exception cref="TimeoutException">The connect or the handshake took too long.</exception>
    /// <exception cref="SocketException">Nobody listens there (connection refused) or the host is unreachable.</exception>
    /// <remarks>Python: Client(address, family=None, authkey=None)</remarks>
    public static Connection Connect(IpcAddress address, byte[]? authKey = null, TimeSpan? timeout = null, ClientOptions? options = null)
    {
        try { return ConnectAsync(address, authKey, timeout, options).AsTask().GetAwaiter().GetResult(); }
        catch (OperationCanceledException) { throw new TimeoutException($"Connecting to {address} did not finish within {timeout}."); }
    }

    /// <summary>The async <see cref="Connect"/>: holds no thread while connecting and authenticating.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired, or the connect timed out.</exception>
    /// <remarks>Python: Client(address, authkey=…) (no asyncio equivalent)</remarks>
    public static async ValueTask<Connection> ConnectAsync(IpcAddress address, byte[]? authKey = null, TimeSpan? timeout = null,
                                                           ClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        options ??= new ClientOptions();
        options.Validate();
        if (options.Tls is not null && address.Family != IpcAddressFamily.Tcp)
            throw new ArgumentException("TLS is offered for TCP addresses only.", nameof(options));
        var deadline = Deadline.From(timeout);
        using var connectLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!deadline.IsInfinite) connectLimit.CancelAfter(deadline.Remaining);
        Stream stream;
        Socket? socket = null;
        if (address.Family == IpcAddressFamily.NamedPipe)
        {
            var pipe = new NamedPipeClientStream(".", address.Path!, PipeDirection.InOut, PipeOptions.Asynchronous);
            try { await pipe.ConnectAsync(connectLimit.Token).ConfigureAwait(false); }
            catch
            {
                await pipe.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            stream = pipe;
        }
        else
        {
            var endPoint = address.ToEndPoint();
            socket = new Socket(endPoint.AddressFamily, SocketType.Stream, address.Family == IpcAddressFamily.Tcp ? ProtocolType.Tcp : ProtocolType.Unspecified);
            try
            {
                // A blocking connect (cut short by closing the socket): an async one would register the socket with
                // .NET's event thread for good, and that thread would then wake on every message it receives.
                using (connectLimit.Token.Register(static s => ((Socket)s!).Dispose(), socket))
                {
                    try { socket.Connect(endPoint); }
                    catch (Exception) when (connectLimit.IsCancellationRequested) { connectLimit.Token.ThrowIfCancellationRequested(); throw; }
                }
                if (address.Family == IpcAddressFamily.Tcp) socket.NoDelay = true;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        StreamChannel? channel = null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.HandshakeTimeout != Timeout.InfiniteTimeSpan) limit.CancelAfter(options.HandshakeTimeout);
        try
        {
            if (options.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(tls, limit.Token).ConfigureAwait(false);
                socket = null; // reads must go through TLS
            }
            channel = new StreamChannel(stream, socket, options.MaxMessageBytes);
            if (authKey is not null)
            {
                using var _ = limit.Token.Register(static c => ((StreamChannel)c!).Dispose(), channel);
                try { await Net.Handshake.AsClientAsync(channel, authKey, options, limit.Token).ConfigureAwait(false); }
                catch (Exception e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is not IpcAuthenticationException)
                {
                    throw new TimeoutException($"The listener at {address} did not complete the authkey handshake within {options.HandshakeTimeout}.", e);
                }
            }
            var connection = new Connection(channel);
            channel = null;
            return connection;
        }
        catch
        {
            if (channel is not null) channel.Dispose();
            else await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
