namespace NativeIpc.Manager;

/// <summary>Turns a reply's status into the exception a local call would have thrown.</summary>
internal static class ManagerReplies
{
    /// <summary>The reply without its status byte; throws for an error status.</summary>
    public static byte[] Check(byte[] reply)
    {
        if (reply.Length == 0) throw new IpcProtocolException("An empty reply from the manager.");
        var status = (ManagerStatus)reply[0];
        if (status == ManagerStatus.Ok) return reply[1..];
        var r = new ManagerReader(reply.AsSpan(1));
        throw status switch
        {
            ManagerStatus.Capacity => new IpcCapacityExceededException(r.I64(), r.I64()),
            ManagerStatus.Mismatch => new IpcSegmentMismatchException(r.Str()),
            ManagerStatus.NotHeld => new SynchronizationLockException(r.Str()),
            _ => new IpcException("The manager refused the call: " + r.Str()),
        };
    }
}
