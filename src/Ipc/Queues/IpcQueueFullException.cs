namespace NativeIpc;

/// <summary>A put found the queue full: <c>PutNowait</c>, or <c>Put</c> whose timeout ran out.</summary>
/// <remarks>Python: queue.Full</remarks>
public sealed class IpcQueueFullException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcQueueFullException() : base("The queue is full.") { }

    /// <summary>Creates the exception with a message.</summary>
    public IpcQueueFullException(string message) : base(message) { }
}
