namespace NativeIpc.Waiting;

/// <summary>The tunables of waiting, in one place: spin budgets before parking and the longest single sleep.</summary>
internal static class WaitTuning
{
    /// <summary>Spin steps (<see cref="SpinPhase"/>: ~40 ns each) a queue or pipe waiter takes before it sleeps
    /// (default ~0.7 ms). Tunable with the NATIVEIPC_QUEUE_SPIN environment variable: 0 sleeps at once (best when
    /// processes outnumber cores), larger values trade CPU for latency.</summary>
    public static int QueueSpin = EnvInt("NATIVEIPC_QUEUE_SPIN", 18000);

    /// <summary>Spin steps a waiter on a sync primitive (lock, semaphore, event, condition, barrier) takes before it
    /// sleeps (<see cref="IpcLock.SpinCount"/>; default ~36 µs).</summary>
    public static int LockSpin = 900;

    /// <summary>Longest single sleep: after it a waiter looks again for dead peers (liveness is polled, since a
    /// process that dies cannot wake anyone).</summary>
    public const int LivenessSliceMs = 100;

    /// <summary>Longest wait of an immediate queue shutdown (<c>IpcQueue.Shutdown(immediate: true)</c>) for the claim
    /// word, or for one record a live producer is still writing, while it discards what is queued: a producer stalled
    /// in the middle of a put cannot hang the shutdown (its item is then left for a getter).</summary>
    public const int ShutdownDrainMs = 1000;

    /// <summary>The slice of a wait that needs no liveness check (an event, a semaphore, a condition: as in Python a
    /// dead peer cannot be told from a slow one): it sleeps until woken or until its deadline.</summary>
    public const int NoSlice = int.MaxValue;

    /// <summary>Slice of the async fallback where the kernel has no futex_waitv (Linux before 5.16): the
    /// parked word is re-read this often.</summary>
    public const int AsyncPollMs = 10;

    /// <summary>Whether a parker thread completes woken async waits inline (after handing its watch to its relay
    /// thread) rather than through the thread pool: one kernel wake fewer per async wake-up. NATIVEIPC_ASYNC_INLINE=0
    /// turns it off (every continuation then runs on the thread pool).</summary>
    public static readonly bool AsyncInline = Environment.GetEnvironmentVariable("NATIVEIPC_ASYNC_INLINE") != "0";

    private static int EnvInt(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), out int n) && n >= 0 ? n : fallback;
}
