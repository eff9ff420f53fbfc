namespace NativeIpc;

/// <summary>A child process could not run its target: the target or its assembly was not found in the child,
/// an argument could not be decoded there, or the child died before it reached the target.
/// Thrown by <see cref="IpcProcess.Join"/> and <see cref="IpcProcess.WaitForExitAsync"/>.</summary>
public sealed class IpcChildStartException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcChildStartException(string message, Exception? inner = null) : base(message, inner) { }
}
