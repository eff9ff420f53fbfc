namespace NativeIpc.Tests.Sync;

/// <summary>Targets the sync tests run in child processes. A failed check throws, so the child exits with 1.</summary>
public static class SyncChildTargets
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static void IncrementUnderLock(IpcLock lk, string counterName, int times)
    {
        using var counter = SharedCounter.Attach(counterName);
        for (int i = 0; i < times; i++)
            using (lk.Acquire(Wait)) counter.IncrementUnsafe();
    }

    public static void HoldLockForever(IpcLock lk, IpcEvent acquired)
    {
        lk.Acquire(Wait);
        acquired.Set();
        Thread.Sleep(Timeout.Infinite);
    }

    public static void HoldRLockForever(IpcRLock lk, IpcEvent acquired)
    {
        lk.Acquire(Wait);
        lk.Acquire(Wait);
        acquired.Set();
        Thread.Sleep(Timeout.Infinite);
    }

    public static void TakePermitForever(IpcSemaphore sem, IpcEvent acquired)
    {
        sem.Acquire(Wait);
        acquired.Set();
        Thread.Sleep(Timeout.Infinite);
    }

    public static void ReleaseRLockExpectingRefusal(IpcRLock lk, string path)
    {
        try
        {
            lk.Release();
            File.WriteAllText(path, "released");
        }
        catch (InvalidOperationException)
        {
            File.WriteAllText(path, "refused");
        }
    }

    public static void SetEventAfter(IpcEvent ev, int delayMs)
    {
        Thread.Sleep(delayMs);
        ev.Set();
    }

    public static void PingPong(IpcEvent ping, IpcEvent pong, int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            if (!ping.Wait(Wait)) throw new TimeoutException("no ping");
            ping.Clear();
            pong.Set();
        }
    }

    public static void BarrierParty(IpcBarrier barrier, string path)
    {
        int index = barrier.Wait(Wait);
        File.WriteAllText(path, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public const string BarrierCounterVariable = "NIPC_TEST_BARRIER_COUNTER";

    /// <summary>A barrier action that can travel to children: counts its runs in the shared counter named by an environment variable.</summary>
    public static void CountBarrierAction()
    {
        using var counter = SharedCounter.Attach(Environment.GetEnvironmentVariable(BarrierCounterVariable)!);
        counter.IncrementUnsafe();
    }

    public static void BarrierPartyAfterDelay(IpcBarrier barrier, string path, int delayMs)
    {
        Thread.Sleep(delayMs);
        BarrierParty(barrier, path);
    }

    public static void NotifyWhenFlagged(IpcCondition cond, string counterName)
    {
        using var flag = SharedCounter.Attach(counterName);
        using (cond.Acquire(Wait))
        {
            flag.IncrementUnsafe();
            cond.NotifyAll();
        }
    }

    public static void WaitOnCondition(IpcCondition cond, IpcEvent waiting, string path)
    {
        using (cond.Acquire(Wait))
        {
            waiting.Set();
            bool notified = cond.Wait(Wait);
            File.WriteAllText(path, notified ? "notified" : "timeout");
        }
    }
}
