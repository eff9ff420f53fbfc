namespace NativeIpc.Tests.Parity;

/// <summary>Child targets of the ported _TestBarrier tests. Python's DummyList (a counter appended to) is a
/// <see cref="SharedValue{T}"/> incremented atomically; a failed <c>assert</c> throws, so the child exits with 1.</summary>
public static class BarrierTargets
{
    public const int N = 5;

    /// <summary>The environment variable naming the counter <see cref="AppendTrue"/> increments (an action is a
    /// static method: it cannot capture the counter, so it finds it by name).</summary>
    public const string ActionCounterVariable = "NATIVEIPC_PARITY_ACTION_COUNTER";

    private static void Check(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException("assertion failed: " + what);
    }

    /// <summary>multipass.</summary>
    public static void Multipass(IpcBarrier barrier, SharedValue<int> results0, SharedValue<int> results1, int n)
    {
        int m = barrier.Parties;
        Check(m == N, "parties == N");
        for (int i = 0; i < n; i++)
        {
            results0.Increment();
            Check(results1.Value == i * m, "len(results[1]) == i * m");
            barrier.Wait();
            results1.Increment();
            Check(results0.Value == (i + 1) * m, "len(results[0]) == (i + 1) * m");
            barrier.Wait();
        }
        Check(barrier.NWaiting == 0, "n_waiting == 0");
        Check(!barrier.Broken, "not broken");
    }

    /// <summary>_test_wait_return_f.</summary>
    public static void WaitReturn(IpcBarrier barrier, IpcQueue<int> queue) => queue.Put(barrier.Wait());

    /// <summary>AppendTrue: the barrier's action.</summary>
    public static void AppendTrue()
    {
        using var counter = SharedValue<int>.Attach(Environment.GetEnvironmentVariable(ActionCounterVariable)!);
        counter.Increment();
    }

    /// <summary>_test_action_f.</summary>
    public static void ActionF(IpcBarrier barrier, SharedValue<int> results)
    {
        barrier.Wait();
        if (results.Value != 1) throw new InvalidOperationException("the action ran " + results.Value + " times");
    }

    /// <summary>_test_abort_f.</summary>
    public static void AbortF(IpcBarrier barrier, SharedValue<int> results1, SharedValue<int> results2)
    {
        try
        {
            int i = barrier.Wait();
            if (i == N / 2) throw new ApplicationException();
            barrier.Wait();
            results1.Increment();
        }
        catch (IpcBrokenBarrierException)
        {
            results2.Increment();
        }
        catch (ApplicationException)
        {
            barrier.Abort();
        }
    }

    /// <summary>_test_reset_f.</summary>
    public static void ResetF(IpcBarrier barrier, SharedValue<int> results1, SharedValue<int> results2, SharedValue<int> results3)
    {
        int i = barrier.Wait();
        if (i == N / 2)
        {
            // Wait until the other threads are all in the barrier.
            while (barrier.NWaiting < N - 1) Thread.Sleep(1);
            barrier.Reset();
        }
        else
        {
            try
            {
                barrier.Wait();
                results1.Increment();
            }
            catch (IpcBrokenBarrierException)
            {
                results2.Increment();
            }
        }
        // Now, pass the barrier again
        barrier.Wait();
        results3.Increment();
    }

    /// <summary>_test_abort_and_reset_f.</summary>
    public static void AbortAndResetF(IpcBarrier barrier, IpcBarrier barrier2, SharedValue<int> results1, SharedValue<int> results2, SharedValue<int> results3)
    {
        try
        {
            int i = barrier.Wait();
            if (i == N / 2) throw new ApplicationException();
            barrier.Wait();
            results1.Increment();
        }
        catch (IpcBrokenBarrierException)
        {
            results2.Increment();
        }
        catch (ApplicationException)
        {
            barrier.Abort();
        }
        // Synchronize and reset the barrier. Must synchronize first so that everyone has left it when we reset, and
        // after so that no one enters it before the reset.
        if (barrier2.Wait() == N / 2) barrier.Reset();
        barrier2.Wait();
        barrier.Wait();
        results3.Increment();
    }

    /// <summary>_test_timeout_f.</summary>
    public static void TimeoutF(IpcBarrier barrier, SharedValue<int> results)
    {
        int i = barrier.Wait();
        if (i == N / 2) Thread.Sleep(1000); // One thread is late!
        try
        {
            barrier.Wait(TimeSpan.FromSeconds(0.5));
        }
        catch (IpcBrokenBarrierException)
        {
            results.Increment();
        }
    }

    /// <summary>_test_default_timeout_f.</summary>
    public static void DefaultTimeoutF(IpcBarrier barrier, SharedValue<int> results)
    {
        int i = barrier.Wait(TimeSpan.FromSeconds(30));
        if (i == N / 2) Thread.Sleep(1000); // One thread is later than the default timeout
        try
        {
            barrier.Wait();
        }
        catch (IpcBrokenBarrierException)
        {
            results.Increment();
        }
    }

    /// <summary>_test_thousand_f.</summary>
    public static void ThousandF(IpcBarrier barrier, int passes, Connection conn, IpcLock @lock)
    {
        for (int i = 0; i < passes; i++)
        {
            barrier.Wait();
            using (@lock.Acquire()) conn.Send(i);
        }
    }
}
