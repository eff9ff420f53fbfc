namespace NativeIpc;

/// <summary>The peer of a <see cref="Listener"/> or <see cref="Client"/> connection failed the authkey challenge
/// (a wrong key, no key, or a malformed challenge or answer). The connection is closed; nothing was received on it.</summary>
/// <remarks>Python: multiprocessing.AuthenticationError</remarks>
public sealed class IpcAuthenticationException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcAuthenticationException(string message) : base(message) { }
}
