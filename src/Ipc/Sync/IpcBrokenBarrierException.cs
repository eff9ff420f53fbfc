namespace NativeIpc;

/// <summary>The barrier is, or became, broken while waiting: it was aborted or reset, a wait timed out, or the
/// barrier action failed.</summary>
/// <remarks>Python: threading.BrokenBarrierError</remarks>
public sealed class IpcBrokenBarrierException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcBrokenBarrierException(string message = "The barrier is broken.", Exception? inner = null) : base(message, inner) { }
}
