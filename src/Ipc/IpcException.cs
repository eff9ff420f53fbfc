namespace NativeIpc;

/// <summary>Base of the exceptions NativeIpc defines.</summary>
public class IpcException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IpcException(string message, Exception? inner = null) : base(message, inner) { }
}
