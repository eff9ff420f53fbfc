namespace NativeIpc;

/// <summary>The queue was shut down (<see cref="IpcQueue{T}.Shutdown"/>, in any process): a <c>Put</c> after the
/// shutdown, or a <c>Get</c> once nothing is left to take (at once after <c>Shutdown(immediate: true)</c>, which
/// discards what was queued). Python: <c>queue.ShutDown</c>, raised after <c>Queue.shutdown()</c> (Python 3.13).</summary>
public sealed class IpcQueueShutDownException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcQueueShutDownException() : base("The queue was shut down: no more items can be put on it or taken from it once drained.") { }

    /// <summary>Creates the exception with a message.</summary>
    public IpcQueueShutDownException(string message) : base(message) { }
}
