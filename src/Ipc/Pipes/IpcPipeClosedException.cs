namespace NativeIpc;

/// <summary>The other end of a pipe is closed: every process that held it closed it or died. On receive it is
/// thrown once everything already sent has been read (Python's <c>EOFError</c>); on send it means nobody can ever
/// read the message (Python's <c>BrokenPipeError</c>), and nothing was sent.</summary>
public sealed class IpcPipeClosedException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcPipeClosedException(string message) : base(message) { }
}
