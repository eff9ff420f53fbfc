using System.Net.Security;

namespace NativeIpc;

/// <summary>How a <see cref="Listener"/> accepts connections (all optional).</summary>
public sealed class ListenerOptions : NetConnectionOptions
{
    /// <summary>Lets a TCP listener start without an authkey. Without it, a TCP listener with no key refuses to start:
    /// anyone who can reach the port could otherwise send it messages.</summary>
    public bool TrustedNetwork { get; init; }

    /// <summary>TLS for a TCP listener: every accepted connection runs <see cref="SslStream"/>'s server handshake
    /// with these options before the authkey challenge. Null: plain TCP (Python's only form).</summary>
    public SslServerAuthenticationOptions? Tls { get; init; }

    /// <summary>The socket's listen backlog. Default 128.</summary>
    /// <remarks>Python: Listener(backlog=1)</remarks>
    public int Backlog { get; init; } = 128;

    /// <summary>How many connections may be in the handshake at once; further ones wait in the kernel's backlog.
    /// Default 64. The handshakes are asynchronous: no thread per connection.</summary>
    public int MaxPendingHandshakes { get; init; } = 64;

    /// <summary>How many authenticated connections may wait for <see cref="Listener.Accept"/>; while full, the
    /// listener stops accepting. Default 64.</summary>
    public int AcceptQueueLength { get; init; } = 64;
}
