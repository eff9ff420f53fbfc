namespace NativeIpc;

/// <summary>A get found the queue empty: <c>GetNowait</c>, or <c>Get</c> whose timeout ran out.</summary>
/// <remarks>Python: queue.Empty</remarks>
public sealed class IpcQueueEmptyException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcQueueEmptyException() : base("The queue is empty.") { }

    /// <summary>Creates the exception with a message.</summary>
    public IpcQueueEmptyException(string message) : base(message) { }
}
