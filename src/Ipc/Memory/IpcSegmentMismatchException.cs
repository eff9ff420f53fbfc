namespace NativeIpc;

/// <summary>An attach found a segment that is not what was asked for: another kind of object, another element
/// type, another layout version, or not a NativeIpc segment at all. Nothing was mapped.</summary>
public class IpcSegmentMismatchException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcSegmentMismatchException(string message) : base(message) { }
}
