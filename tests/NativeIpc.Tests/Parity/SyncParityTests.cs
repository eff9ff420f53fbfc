using NUnit.Framework;
using T = NativeIpc.Tests.Parity.SyncTargets;

namespace NativeIpc.Tests.Parity;

/// <summary>Ported from CPython's <c>_TestLock</c>, <c>_TestSemaphore</c>, <c>_TestCondition</c> and <c>_TestEvent</c>.</summary>
[TestFixture]
public class SyncParityTests : ParityFixture
{
    // ------------------------------------------------------------------ _TestLock

    [Test, Description("Python: _TestLock.test_lock (acquire(False) is TryAcquire(); release of an unheld lock raises: InvalidOperationException here).")]
    public void TestLock_Lock()
    {
        using var @lock = Multiprocessing.Lock();
        Assert.That(@lock.TryAcquire(Timeout.InfiniteTimeSpan), Is.True);
        Assert.That(@lock.IsLocked, Is.True);
        Assert.That(@lock.TryAcquire(), Is.False);
        Assert.DoesNotThrow(@lock.Release);
        Assert.That(@lock.IsLocked, Is.False);
        Assert.Throws<InvalidOperationException>(@lock.Release);
    }

    [Test, Description("Python: _TestLock.test_lock_locked_2processes.")]
    public void TestLock_LockLocked2Processes()
    {
        using var @lock = Multiprocessing.Lock();
        using var @event = Multiprocessing.Event();
        using var res = Multiprocessing.Value<byte>(0);
        var p = Track(IpcProcess.Start(T.LockLocked2Processes, @lock, @event, res));
        Assert.That(@event.Wait(ShortTimeout));
        Assert.That(@lock.IsLocked, Is.True);
        Assert.That(res.Value, Is.Not.Zero);
        JoinOk(p);
    }

    [Test, Description("Python: _TestLock.test_rlock (pins IpcRLock.IsLocked, Python's RLock.locked()).")]
    public void TestLock_Rlock()
    {
        using var @lock = Multiprocessing.RLock();
        Assert.That(@lock.TryAcquire(Timeout.InfiniteTimeSpan), Is.True);
        Assert.That(@lock.IsLocked, Is.True);
        Assert.That(@lock.TryAcquire(Timeout.InfiniteTimeSpan), Is.True);
        Assert.That(@lock.TryAcquire(Timeout.InfiniteTimeSpan), Is.True);
        Assert.DoesNotThrow(@lock.Release);
        Assert.That(@lock.IsLocked, Is.True);
        Assert.DoesNotThrow(@lock.Release);
        Assert.DoesNotThrow(@lock.Release);
        Assert.That(@lock.IsLocked, Is.False);
        Assert.Throws<InvalidOperationException>(@lock.Release); // Python: AssertionError or RuntimeError
    }

    [Test, Description("Python: _TestLock.test_rlock_locked_2processes (pins IpcRLock.IsLocked across processes).")]
    public void TestLock_RlockLocked2Processes()
    {
        using var rlock = Multiprocessing.RLock();
        using var @event = Multiprocessing.Event();
        using var res = Multiprocessing.Value<byte>(0);
        var p = Track(IpcProcess.Start(T.RLockLocked2Processes, rlock, @event, res));
        Assert.That(@event.Wait(ShortTimeout));
        Assert.That(rlock.IsLocked, Is.True);
        Assert.That(res.Value, Is.Not.Zero);
        JoinOk(p);
    }

    [Test, Description("Python: _TestLock.test_lock_context (with lock: is using (lock.Acquire())).")]
    public void TestLock_LockContext()
    {
        using var @lock = Multiprocessing.Lock();
        using (@lock.Acquire())
            Assert.That(@lock.IsLocked, Is.True);
        Assert.That(@lock.IsLocked, Is.False);
    }

    [Test, Description("Python: _TestLock.test_rlock_context.")]
    public void TestLock_RlockContext()
    {
        using var @lock = Multiprocessing.RLock();
        using (@lock.Acquire())
            Assert.That(@lock.IsLocked, Is.True);
        Assert.That(@lock.IsLocked, Is.False);
    }

    // ------------------------------------------------------------------ _TestSemaphore

    private static void CheckSemaphore(IpcSemaphore sem)
    {
        Assert.That(sem.Value, Is.EqualTo(2));
        Assert.That(sem.TryAcquire(Timeout.InfiniteTimeSpan), Is.True);
        Assert.That(sem.Value, Is.EqualTo(1));
        Assert.That(sem.TryAcquire(Timeout.InfiniteTimeSpan), Is.True);
        Assert.That(sem.Value, Is.EqualTo(0));
        Assert.That(sem.TryAcquire(), Is.False);
        Assert.That(sem.Value, Is.EqualTo(0));
        Assert.DoesNotThrow(() => sem.Release());
        Assert.That(sem.Value, Is.EqualTo(1));
        Assert.DoesNotThrow(() => sem.Release());
        Assert.That(sem.Value, Is.EqualTo(2));
    }

    [Test, Description("Python: _TestSemaphore.test_semaphore.")]
    public void TestSemaphore_Semaphore()
    {
        using var sem = Multiprocessing.Semaphore(2);
        CheckSemaphore(sem);
        sem.Release();
        Assert.That(sem.Value, Is.EqualTo(3));
        sem.Release();
        Assert.That(sem.Value, Is.EqualTo(4));
    }

    [Test, Description("Python: _TestSemaphore.test_bounded_semaphore.")]
    public void TestSemaphore_BoundedSemaphore()
    {
        using var sem = Multiprocessing.BoundedSemaphore(2);
        CheckSemaphore(sem);
    }

    [Test, Description("Python: _TestSemaphore.test_timeout (acquire(False, t) never blocks: TryAcquire(); acquire(True, t) is TryAcquire(t)).")]
    public void TestSemaphore_Timeout()
    {
        using var sem = Multiprocessing.Semaphore(0);
        bool r = Timed(() => sem.TryAcquire(), out var elapsed);                 // acquire(False)
        Assert.That(r, Is.False);
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        r = Timed(() => sem.TryAcquire(TimeSpan.Zero), out elapsed);             // acquire(False, None)
        Assert.That(r, Is.False);
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        r = Timed(() => sem.TryAcquire(), out elapsed);                          // acquire(False, TIMEOUT1)
        Assert.That(r, Is.False);
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        r = Timed(() => sem.TryAcquire(Timeout2), out elapsed);                  // acquire(True, TIMEOUT2)
        Assert.That(r, Is.False);
        AssertTimingAlmostEqual(elapsed, Timeout2);
        r = Timed(() => sem.TryAcquire(Timeout3), out elapsed);                  // acquire(timeout=TIMEOUT3)
        Assert.That(r, Is.False);
        AssertTimingAlmostEqual(elapsed, Timeout3);
    }

    // ------------------------------------------------------------------ _TestCondition

    /// <summary>Starts <c>f</c> in a daemon child and in a background thread of this process, as Python's tests do.</summary>
    private (IpcProcess Process, Thread Thread) StartBoth(IpcCondition cond, IpcSemaphore sleeping, IpcSemaphore woken, int timeoutMs)
    {
        var p = StartDaemon(T.F, cond, sleeping, woken, timeoutMs);
        var t = new Thread(() => T.F(cond, sleeping, woken, timeoutMs)) { IsBackground = true };
        t.Start();
        return (p, t);
    }

    private static void JoinThread(Thread t) => Assert.That(t.Join(ShortTimeout), Is.True, "thread did not finish");

    [Test, Description("Python: _TestCondition.test_notify (check_invariant reads CPython's internal semaphores: no equivalent).")]
    public void TestCondition_Notify()
    {
        using var cond = Multiprocessing.Condition();
        using var sleeping = Multiprocessing.Semaphore(0);
        using var woken = Multiprocessing.Semaphore(0);
        var (p, t) = StartBoth(cond, sleeping, woken, -1);

        // wait for both children to start sleeping
        Assert.That(sleeping.TryAcquire(ShortTimeout));
        Assert.That(sleeping.TryAcquire(ShortTimeout));

        AssertReachesEventually(() => woken.Value, 0);
        using (cond.Acquire()) cond.Notify();
        AssertReachesEventually(() => woken.Value, 1);
        using (cond.Acquire()) cond.Notify();
        AssertReachesEventually(() => woken.Value, 2);

        JoinThread(t);
        JoinOk(p);
    }

    [Test, Description("Python: _TestCondition.test_notify_all.")]
    public void TestCondition_NotifyAll()
    {
        using var cond = Multiprocessing.Condition();
        using var sleeping = Multiprocessing.Semaphore(0);
        using var woken = Multiprocessing.Semaphore(0);
        var workers = new List<(IpcProcess, Thread)>();

        // start some threads/processes which will timeout
        for (int i = 0; i < 3; i++) workers.Add(StartBoth(cond, sleeping, woken, (int)Timeout1.TotalMilliseconds));
        for (int i = 0; i < 6; i++) Assert.That(sleeping.TryAcquire(ShortTimeout));
        // check they have all timed out
        for (int i = 0; i < 6; i++) Assert.That(woken.TryAcquire(ShortTimeout));
        Assert.That(woken.Value, Is.EqualTo(0));

        // start some more threads/processes
        for (int i = 0; i < 3; i++) workers.Add(StartBoth(cond, sleeping, woken, -1));
        for (int i = 0; i < 6; i++) Assert.That(sleeping.TryAcquire(ShortTimeout));
        Thread.Sleep(Delta);
        Assert.That(woken.Value, Is.EqualTo(0));

        using (cond.Acquire()) cond.NotifyAll();
        for (int i = 0; i < 6; i++) Assert.That(woken.TryAcquire(ShortTimeout));
        Assert.That(woken.Value, Is.EqualTo(0));

        foreach (var (p, t) in workers)
        {
            JoinThread(t);
            JoinOk(p);
        }
    }

    [Test, Description("Python: _TestCondition.test_notify_n.")]
    public void TestCondition_NotifyN()
    {
        using var cond = Multiprocessing.Condition();
        using var sleeping = Multiprocessing.Semaphore(0);
        using var woken = Multiprocessing.Semaphore(0);
        var workers = new List<(IpcProcess, Thread)>();
        for (int i = 0; i < 3; i++) workers.Add(StartBoth(cond, sleeping, woken, -1));
        for (int i = 0; i < 6; i++) Assert.That(sleeping.TryAcquire(ShortTimeout));
        Thread.Sleep(Delta);
        Assert.That(woken.Value, Is.EqualTo(0));

        using (cond.Acquire()) cond.Notify(2);
        AssertReachesEventually(() => woken.Value, 2);
        using (cond.Acquire()) cond.Notify(4);
        AssertReachesEventually(() => woken.Value, 6);
        // doesn't do anything more
        using (cond.Acquire()) cond.Notify(3);
        Assert.That(woken.Value, Is.EqualTo(6));

        foreach (var (p, t) in workers)
        {
            JoinThread(t);
            JoinOk(p);
        }
    }

    [Test, Description("Python: _TestCondition.test_timeout.")]
    public void TestCondition_Timeout()
    {
        using var cond = Multiprocessing.Condition();
        cond.Acquire();
        bool res = Timed(() => cond.Wait(Timeout1), out var elapsed);
        cond.Release();
        Assert.That(res, Is.False);
        AssertTimingAlmostEqual(elapsed, Timeout1);
    }

    [Test, Description("Python: _TestCondition.test_waitfor.")]
    public void TestCondition_Waitfor()
    {
        using var cond = Multiprocessing.Condition();
        using var state = Multiprocessing.Value(-1);
        var p = StartDaemon(T.WaitForF, cond, state);
        using (cond.Acquire(ShortTimeout))
        {
            bool result = cond.WaitFor(() => state.Value == 0, ShortTimeout);
            Assert.That(result, Is.True);
            Assert.That(state.Value, Is.EqualTo(0));
        }
        for (int i = 0; i < 4; i++)
        {
            Thread.Sleep(10);
            using (cond.Acquire(ShortTimeout))
            {
                state.Value += 1;
                cond.Notify();
            }
        }
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test, Description("Python: _TestCondition.test_waitfor_timeout.")]
    public void TestCondition_WaitforTimeout()
    {
        using var cond = Multiprocessing.Condition();
        using var state = Multiprocessing.Value(0);
        using var success = Multiprocessing.Value(0);
        using var sem = Multiprocessing.Semaphore(0);
        var p = StartDaemon(T.WaitForTimeoutF, cond, state, success, sem);
        Assert.That(sem.TryAcquire(ShortTimeout), Is.True);
        // Only increment 3 times, so state == 4 is never reached.
        for (int i = 0; i < 3; i++)
        {
            Thread.Sleep(10);
            using (cond.Acquire(ShortTimeout))
            {
                state.Value += 1;
                cond.Notify();
            }
        }
        JoinOrFail(p);
        Assert.That(success.Value, Is.Not.Zero);
    }

    [Test, Description("Python: _TestCondition.test_wait_result. Difference: Python's second half has the child send SIGINT to the parent to interrupt a wait with KeyboardInterrupt; in .NET that signal would end the test host, so this is Python's own Windows branch (pid None); a CancellationToken is what interrupts a wait here.")]
    public void TestCondition_WaitResult()
    {
        using var c = Multiprocessing.Condition();
        using (c.Acquire())
        {
            Assert.That(c.Wait(TimeSpan.Zero), Is.False);
            Assert.That(c.Wait(TimeSpan.FromSeconds(0.1)), Is.False);
            var p = Track(IpcProcess.Start(T.WaitResult, c));
            Assert.That(c.Wait(TimeSpan.FromSeconds(60)), Is.True);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            Assert.That(() => c.Wait(TimeSpan.FromSeconds(60), cts.Token), Throws.InstanceOf<OperationCanceledException>());
            JoinOk(p);
        }
    }

    // ------------------------------------------------------------------ _TestEvent

    [Test, Description("Python: _TestEvent.test_event.")]
    public void TestEvent_Event()
    {
        using var @event = Multiprocessing.Event();
        Assert.That(@event.IsSet, Is.False);

        Assert.That(Timed(() => @event.Wait(TimeSpan.Zero), out var elapsed), Is.False);
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        Assert.That(Timed(() => @event.Wait(Timeout1), out elapsed), Is.False);
        AssertTimingAlmostEqual(elapsed, Timeout1);

        @event.Set();

        Assert.That(@event.IsSet, Is.True);
        Assert.That(Timed(() => @event.Wait(), out elapsed), Is.True);
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        Assert.That(Timed(() => @event.Wait(Timeout1), out elapsed), Is.True);
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);

        @event.Clear();

        var p = StartDaemon(T.Event, @event);
        Assert.That(@event.Wait(ShortTimeout), Is.True);
        JoinOk(p);
    }

    [Test, Description("Python: _TestEvent.test_repr. Difference: ToString() names the object and its segment (\"IpcEvent(<name>)\"), not its state (Python: <Event at 0x... set/unset>); IsSet gives the state.")]
    public void TestEvent_Repr()
    {
        using var @event = Multiprocessing.Event();
        Assert.That(@event.ToString(), Does.Match(@"^IpcEvent\(.+\)$"));
        @event.Set();
        Assert.That(@event.ToString(), Does.Match(@"^IpcEvent\(.+\)$"));
        Assert.That(@event.IsSet, Is.True);
        @event.Clear();
        Assert.That(@event.IsSet, Is.False);
    }
}
