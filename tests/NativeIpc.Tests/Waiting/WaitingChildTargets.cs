using System.Diagnostics;
using System.Globalization;

namespace NativeIpc.Tests.Waiting;

/// <summary>Targets the async-wait tests run in child processes. A failed check throws, so the child exits with 1.</summary>
public static class WaitingChildTargets
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>Writes the Stopwatch timestamp (CLOCK_MONOTONIC, the same in every process) then sets the event.</summary>
    public static void SetEventStamped(IpcEvent ev, string stampPath, int delayMs)
    {
        Thread.Sleep(delayMs);
        File.WriteAllText(stampPath, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
        ev.Set();
    }

    public static void HoldLockThenRelease(IpcLock lk, IpcEvent acquired, int holdMs)
    {
        lk.Acquire(Wait);
        acquired.Set();
        Thread.Sleep(holdMs);
        lk.Release();
    }

    public static void ReleaseSemaphoreAfter(IpcSemaphore sem, int delayMs)
    {
        Thread.Sleep(delayMs);
        sem.Release();
    }

    /// <summary>Notifies the condition every 20 ms until <paramref name="stop"/> is set (a notify only wakes a waiter
    /// already waiting).</summary>
    public static void NotifyUntil(IpcCondition cond, IpcEvent stop)
    {
        while (!stop.Wait(TimeSpan.FromMilliseconds(20)))
            using (cond.Acquire(Wait)) cond.Notify();
    }

    /// <summary>Holds <paramref name="conn"/> open (it is registered from spawn) until killed.</summary>
    public static void HoldUntilKilled(Connection conn)
    {
        GC.KeepAlive(conn);
        Thread.Sleep(Timeout.Infinite);
    }

    public static void SendAfter(Connection conn, int value, int delayMs)
    {
        Thread.Sleep(delayMs);
        conn.Send(value);
    }

    public static void ReceiveCount(Connection conn, int count, IpcEvent start)
    {
        if (!start.Wait(Wait)) throw new TimeoutException("no start");
        for (int i = 0; i < count; i++)
            if (conn.RecvBytes(Wait).Length == 0) throw new InvalidDataException("empty");
    }

    /// <summary>Arrives last at a barrier without an action and is held (then killed by the test) right before its release.</summary>
    public static void ArriveLastAndStall(IpcBarrier barrier, string readyFile)
    {
        IpcBarrier.BeforeReleaseHook = () => { File.WriteAllText(readyFile, "releasing"); Thread.Sleep(Timeout.Infinite); };
        barrier.Wait(Wait);
    }

    /// <summary>Leaves async waits pending on every primitive, says so, and waits to be killed.</summary>
    public static void PendAsyncWaitsForever(IpcEvent ev, IpcLock lk, IpcSemaphore sem, Connection conn, IpcEvent ready)
    {
        var pending = new List<Task>();
        for (int i = 0; i < 10; i++)
        {
            pending.Add(ev.WaitAsync().AsTask());
            pending.Add(lk.AcquireAsync().AsTask());
            pending.Add(sem.WaitAsync().AsTask());
        }
        pending.Add(conn.RecvAsync<int>());
        if (!SpinWait.SpinUntil(() => AsyncParker.RegistrationCount >= 31, Wait)) throw new TimeoutException("not parked");
        ready.Set();
        Thread.Sleep(Timeout.Infinite);
    }
}
