namespace NativeIpc;

/// <summary>An attach found a segment whose creator has not finished creating it within the wait: it is still
/// initialising, or it died while creating. Nothing was mapped. Derives from <see cref="IpcSegmentMismatchException"/>,
/// which attach threw for this case before.</summary>
public sealed class IpcSegmentNotReadyException : IpcSegmentMismatchException
{
    /// <summary>Creates the exception.</summary>
    public IpcSegmentNotReadyException(string message) : base(message) { }
}
