namespace NativeIpc;

/// <summary>Thrown by an acquire that took over a lock whose holder died without releasing it. Like .NET's
/// <see cref="AbandonedMutexException"/>: when this is thrown the calling thread <b>holds</b> the lock and must
/// release it; the state the lock protects may be inconsistent, since its holder died mid-update.</summary>
/// <remarks>Python has no equivalent: a multiprocessing.Lock held by a killed process stays locked forever.</remarks>
public sealed class IpcAbandonedLockException : IpcException
{
    /// <summary>Creates the exception for a lock abandoned by <paramref name="deadOwnerPid"/>.</summary>
    public IpcAbandonedLockException(int deadOwnerPid)
        : base($"The lock was abandoned: its holder (pid {deadOwnerPid}) died without releasing it. The calling thread now holds the lock; the state it protects may be inconsistent.")
    {
        DeadOwnerPid = deadOwnerPid;
        IpcMetrics.AbandonedLocks.Add(1); // made only where a lock is taken over: counted here, off the lock paths
    }

    /// <summary>The pid of the process that died holding the lock.</summary>
    public int DeadOwnerPid { get; }
}
