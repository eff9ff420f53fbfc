namespace NativeIpc;

/// <summary>A shared segment holds values no correct NativeIpc process writes (a position, length, state or size out
/// of range): another process with access to it wrote into it, or memory was damaged. The operation was refused
/// before it read or wrote outside the segment; the object is not usable any more.</summary>
public class IpcSegmentCorruptedException : IpcException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was found corrupt.</param>
    /// <param name="inner">The exception that revealed it, if any.</param>
    public IpcSegmentCorruptedException(string message, Exception? inner = null) : base(message, inner) { }
}
