namespace NativeIpc.Tests.Parity;

/// <summary>Child targets of the ported _TestLock, _TestCondition and _TestEvent tests.</summary>
public static class SyncTargets
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>_test_lock_locked_2processes: acquires, reports locked(), sets the event (and exits holding it).</summary>
    public static void LockLocked2Processes(IpcLock @lock, IpcEvent @event, SharedValue<byte> res)
    {
        @lock.Acquire(Wait);
        res.Value = @lock.IsLocked ? (byte)1 : (byte)0;
        @event.Set();
    }

    /// <summary>The same for an RLock (Python passes either to one target).</summary>
    public static void RLockLocked2Processes(IpcRLock @lock, IpcEvent @event, SharedValue<byte> res)
    {
        @lock.Acquire(Wait);
        res.Value = @lock.IsLocked ? (byte)1 : (byte)0;
        @event.Set();
    }

    /// <summary>_TestCondition.f: sleeping.release(), cond.wait(timeout), woken.release(), with the condition held.
    /// <paramref name="timeoutMs"/> -1 is no timeout.</summary>
    public static void F(IpcCondition cond, IpcSemaphore sleeping, IpcSemaphore woken, int timeoutMs)
    {
        cond.Acquire(Wait);
        sleeping.Release();
        cond.Wait(timeoutMs < 0 ? Wait : TimeSpan.FromMilliseconds(timeoutMs));
        woken.Release();
        cond.Release();
    }

    /// <summary>_test_waitfor_f.</summary>
    public static void WaitForF(IpcCondition cond, SharedValue<int> state)
    {
        using (cond.Acquire(Wait))
        {
            state.Value = 0;
            cond.Notify();
            bool result = cond.WaitFor(() => state.Value == 4, Wait);
            if (!result || state.Value != 4) Environment.Exit(1);
        }
    }

    /// <summary>_test_waitfor_timeout_f.</summary>
    public static void WaitForTimeoutF(IpcCondition cond, SharedValue<int> state, SharedValue<int> success, IpcSemaphore sem)
    {
        sem.Release();
        using (cond.Acquire(Wait))
        {
            var expected = TimeSpan.FromMilliseconds(100);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            bool result = cond.WaitFor(() => state.Value == 4, expected);
            var dt = sw.Elapsed;
            if (!result && expected - TimeSpan.FromMilliseconds(15) <= dt) success.Value = 1; // CLOCK_RES
        }
    }

    /// <summary>_test_wait_result (the pid-is-None branch: no SIGINT to the parent).</summary>
    public static void WaitResult(IpcCondition c)
    {
        using (c.Acquire(Wait)) c.Notify();
        Thread.Sleep(1000);
    }

    /// <summary>_test_event: sets the event after TIMEOUT2.</summary>
    public static void Event(IpcEvent @event)
    {
        Thread.Sleep(350);
        @event.Set();
    }
}
