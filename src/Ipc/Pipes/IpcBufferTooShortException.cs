namespace NativeIpc;

/// <summary>The buffer given to <see cref="Connection.RecvBytesInto(Span{byte}, TimeSpan?)"/> is smaller than the next
/// message. The message is not lost: it stays first in line for the next receive.</summary>
/// <remarks>Python: multiprocessing.BufferTooShort</remarks>
public sealed class IpcBufferTooShortException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcBufferTooShortException(int messageLength, int bufferLength)
        : base($"The next message is {messageLength} bytes; the buffer holds {bufferLength}. The message is kept for the next receive.")
        => MessageLength = messageLength;

    /// <summary>Size of the waiting message in bytes.</summary>
    public int MessageLength { get; }
}
