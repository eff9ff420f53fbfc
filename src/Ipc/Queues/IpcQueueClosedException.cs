namespace NativeIpc;

/// <summary>The queue was closed: a <c>Put</c> after <c>Close()</c>, or a <c>Get</c> on a closed queue that has been
/// drained. The C# counterpart of the <c>None</c> sentinel Python programs put at the end of a queue.</summary>
public sealed class IpcQueueClosedException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcQueueClosedException() : base("The queue is closed: no more items will be put on it.") { }

    /// <summary>Creates the exception with a message.</summary>
    public IpcQueueClosedException(string message) : base(message) { }
}
