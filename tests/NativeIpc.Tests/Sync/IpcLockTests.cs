using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Sync;

[TestFixture]
public class IpcLockTests : ChildProcessFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Test]
    public void Acquire_FourProcessesIncrementingSharedCounter_CountIsExact()
    {
        using var lk = new IpcLock();
        using var counter = SharedCounter.Create();
        const int Times = 5_000;
        var children = Enumerable.Range(0, 4)
            .Select(_ => Track(IpcProcess.Start(SyncChildTargets.IncrementUnderLock, lk, counter.Name, Times)))
            .ToList();
        foreach (var p in children)
        {
            JoinOrFail(p);
            Assert.That(p.ExitCode, Is.EqualTo(0));
        }
        Assert.That(counter.Value, Is.EqualTo(4L * Times));
        Assert.That(lk.IsLocked, Is.False);
    }

    [Test]
    public void Acquire_AfterHolderKilled_ThrowsAbandonedWithinASecondAndHoldsLock()
    {
        using var lk = new IpcLock();
        using var acquired = new IpcEvent();
        var child = Track(IpcProcess.Start(SyncChildTargets.HoldLockForever, lk, acquired));
        Assert.That(acquired.Wait(ChildTimeout), Is.True, "child never took the lock");
        Assert.That(lk.TryAcquire(TimeSpan.FromMilliseconds(250)), Is.False, "held by a live child");

        child.Kill();
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<IpcAbandonedLockException>(() => lk.Acquire(TimeSpan.FromSeconds(5)));
        sw.Stop();

        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(e!.DeadOwnerPid, Is.EqualTo(child.Pid));
        Assert.That(e.Message, Does.Contain("inconsistent"));
        Assert.That(lk.IsLocked, Is.True);
        Assert.That(lk.TryAcquire(), Is.False, "the caller holds the lock after the exception");
        lk.Release();
        using (lk.Acquire(Wait)) { }
    }

    [Test]
    public void Acquire_WaitingWhenHolderKilled_WakesWithAbandoned()
    {
        using var lk = new IpcLock();
        using var acquired = new IpcEvent();
        var child = Track(IpcProcess.Start(SyncChildTargets.HoldLockForever, lk, acquired));
        Assert.That(acquired.Wait(ChildTimeout), Is.True, "child never took the lock");
        var waiter = Task.Run(() =>
        {
            try { lk.Acquire(TimeSpan.FromSeconds(20)); return "acquired"; }
            catch (IpcAbandonedLockException) { return "abandoned"; }
        });
        Thread.Sleep(300); // asleep on the futex by now
        Assert.That(waiter.IsCompleted, Is.False);
        child.Kill();
        Assert.That(waiter.Wait(TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(waiter.Result, Is.EqualTo("abandoned"));
        lk.Release(); // any thread may release an IpcLock, as in Python
    }

    [Test]
    public void Release_WhenNotHeld_ThrowsInvalidOperation()
    {
        using var lk = new IpcLock();
        Assert.Throws<InvalidOperationException>(() => lk.Release());
        using (lk.Acquire()) { }
        Assert.Throws<InvalidOperationException>(() => lk.Release());
    }

    [Test]
    public void TryAcquire_WhileHeld_ReturnsFalseAfterTimeout()
    {
        using var lk = new IpcLock();
        Assert.That(lk.TryAcquire(), Is.True);
        var sw = Stopwatch.StartNew();
        Assert.That(lk.TryAcquire(TimeSpan.FromMilliseconds(150)), Is.False);
        Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(140)));
        Assert.Throws<TimeoutException>(() => lk.Acquire(TimeSpan.FromMilliseconds(10)));
        lk.Release();
    }

    [Test]
    public void Acquire_ContendedByAnotherThread_WakesWhenReleased()
    {
        using var lk = new IpcLock();
        lk.Acquire();
        var t = Task.Run(() => { using (lk.Acquire(Wait)) return true; });
        Thread.Sleep(150);
        Assert.That(t.IsCompleted, Is.False);
        lk.Release();
        Assert.That(t.Wait(Wait) && t.Result, Is.True);
    }

    [Test]
    public void Acquire_Cancelled_ThrowsOperationCanceled()
    {
        using var lk = new IpcLock();
        lk.Acquire();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.That(() => lk.Acquire(null, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        lk.Release();
    }

    [Test]
    public void Acquire_NegativeTimeout_ThrowsArgumentOutOfRange()
    {
        using var lk = new IpcLock();
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.Acquire(TimeSpan.FromMilliseconds(-2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.TryAcquire(TimeSpan.FromSeconds(-1)));
        using (lk.Acquire(Timeout.InfiniteTimeSpan)) { }
    }

    [Test]
    public void AnyMember_AfterDispose_ThrowsObjectDisposed()
    {
        var lk = new IpcLock();
        lk.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lk.Acquire());
        Assert.Throws<ObjectDisposedException>(() => lk.TryAcquire());
        Assert.Throws<ObjectDisposedException>(() => lk.Release());
        lk.Dispose();
    }

    [Test]
    public void Facade_CreatesEveryPrimitive()
    {
        using var a = Multiprocessing.Lock();
        using var b = Multiprocessing.RLock();
        using var c = Multiprocessing.Semaphore(2);
        using var d = Multiprocessing.BoundedSemaphore(2);
        using var e = Multiprocessing.Event();
        using var f = Multiprocessing.Condition();
        using var g = Multiprocessing.Condition(a);
        using var h = Multiprocessing.Barrier(2);
        Assert.That((c.Value, d.Value, e.IsSet, h.Parties), Is.EqualTo((2, 2, false, 2)));
    }
}
