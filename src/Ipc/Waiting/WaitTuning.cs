namespace NativeIpc.Waiting;

/// <summary>The tunables of waiting, in one place: spin budgets before parking and the longest single sleep.</summary>
internal static class WaitTuning
{
    /// <summary>Spin steps a queue or pipe waiter takes before it sleeps. Tunable with the NATIVEIPC_QUEUE_SPIN
    /// environment variable: 0 sleeps at once (best when processes outnumber cores), larger values trade CPU for
    /// latency.</summary>
    public static int QueueSpin = EnvInt("NATIVEIPC_QUEUE_SPIN", 2000);

    /// <summary>Spin steps a lock waiter takes before it sleeps (<see cref="IpcLock.SpinCount"/>).</summary>
    public static int LockSpin = 100;

    /// <summary>Longest single sleep: after it a waiter looks again for dead peers (liveness is polled, since a
    /// process that dies cannot wake anyone).</summary>
    public const int LivenessSliceMs = 100;

    private static int EnvInt(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), out int n) && n >= 0 ? n : fallback;
}
