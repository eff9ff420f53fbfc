namespace NativeIpc;

/// <summary>A socket or named-pipe connection received bytes that break the wire protocol: a length prefix beyond the
/// connection's maximum message size, a negative length, or a handshake message that is not one. The connection is
/// closed (its framing can no longer be trusted); other connections and the listener go on.</summary>
public sealed class IpcProtocolException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcProtocolException(string message) : base(message) { }
}
