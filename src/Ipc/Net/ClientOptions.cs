using System.Net.Security;

namespace NativeIpc;

/// <summary>How <see cref="Client.Connect"/> connects (all optional).</summary>
public sealed class ClientOptions : NetConnectionOptions
{
    /// <summary>TLS for a TCP connection: runs <see cref="SslStream"/>'s client handshake with these options before the
    /// authkey challenge (the listener needs <see cref="ListenerOptions.Tls"/>). Null: plain TCP.</summary>
    public SslClientAuthenticationOptions? Tls { get; init; }
}
