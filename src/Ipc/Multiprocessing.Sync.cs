namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Creates a lock shared between processes.</summary>
    /// <remarks>Python: multiprocessing.Lock</remarks>
    public static IpcLock Lock() => new();

    /// <summary>Creates a reentrant lock shared between processes.</summary>
    /// <remarks>Python: multiprocessing.RLock</remarks>
    public static IpcRLock RLock() => new();

    /// <summary>Creates a semaphore with <paramref name="value"/> permits.</summary>
    /// <remarks>Python: multiprocessing.Semaphore</remarks>
    public static IpcSemaphore Semaphore(int value = 1) => new(value);

    /// <summary>Creates a semaphore that refuses release above <paramref name="value"/>.</summary>
    /// <remarks>Python: multiprocessing.BoundedSemaphore</remarks>
    public static IpcBoundedSemaphore BoundedSemaphore(int value = 1) => new(value);

    /// <summary>Creates a clear event.</summary>
    /// <remarks>Python: multiprocessing.Event</remarks>
    public static IpcEvent Event() => new();

    /// <summary>Creates a condition over <paramref name="lock"/>, or over a new reentrant lock when null.</summary>
    /// <remarks>Python: multiprocessing.Condition</remarks>
    public static IpcCondition Condition(IpcLock? @lock = null) => @lock is null ? new() : new(@lock);

    /// <summary>Creates a condition over a reentrant lock.</summary>
    /// <remarks>Python: multiprocessing.Condition(lock)</remarks>
    public static IpcCondition Condition(IpcRLock @lock) => new(@lock);

    /// <summary>Creates a barrier for <paramref name="parties"/> parties.</summary>
    /// <remarks>Python: multiprocessing.Barrier</remarks>
    public static IpcBarrier Barrier(int parties, Action? action = null, TimeSpan? timeout = null) => new(parties, action, timeout);
}
