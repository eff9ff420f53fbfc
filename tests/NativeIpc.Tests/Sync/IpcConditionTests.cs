using NUnit.Framework;

namespace NativeIpc.Tests.Sync;

[TestFixture]
public class IpcConditionTests : ChildProcessFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Test]
    public void WaitFor_NotifiedByChild_SeesChildsChange()
    {
        using var cond = new IpcCondition();
        using var flag = SharedCounter.Create();
        using (cond.Acquire(Wait))
        {
            var p = Track(IpcProcess.Start(SyncChildTargets.NotifyWhenFlagged, cond, flag.Name));
            Assert.That(cond.WaitFor(() => flag.Value == 1, ChildTimeout), Is.True);
            JoinOrFail(p);
        }
    }

    [Test]
    public void Notify_FromParent_WakesWaitingChild()
    {
        using var lk = new IpcLock();
        using var cond = new IpcCondition(lk);
        using var waiting = new IpcEvent();
        string path = TestPaths.TempFile();
        try
        {
            var p = Track(IpcProcess.Start(SyncChildTargets.WaitOnCondition, cond, waiting, path));
            Assert.That(waiting.Wait(ChildTimeout), Is.True);
            using (cond.Acquire(Wait)) cond.Notify();
            JoinOrFail(p);
            Assert.That(File.ReadAllText(path), Is.EqualTo("notified"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Wait_NoNotify_TimesOutHoldingLock()
    {
        using var rlock = new IpcRLock();
        using var cond = new IpcCondition(rlock);
        using (cond.Acquire())
        using (cond.Acquire())
        {
            Assert.That(cond.Wait(TimeSpan.FromMilliseconds(100)), Is.False);
            Assert.That(Task.Run(() => cond.TryAcquire()).Result, Is.False, "re-acquired after the wait");
        }
        Assert.That(Task.Run(() => { bool ok = cond.TryAcquire(); if (ok) cond.Release(); return ok; }).Result, Is.True, "both levels restored and released");
    }

    [Test]
    public void Notify_OneOfTwoThreadWaiters_WakesExactlyOne()
    {
        using var cond = new IpcCondition();
        int woken = 0;
        var waiters = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            using (cond.Acquire(Wait))
                if (cond.Wait(TimeSpan.FromSeconds(1))) Interlocked.Increment(ref woken);
        })).ToArray();
        Thread.Sleep(200);
        using (cond.Acquire(Wait)) cond.Notify(1);
        Task.WaitAll(waiters, Wait);
        Assert.That(woken, Is.EqualTo(1));
    }

    [Test]
    public void Misuse_WithoutLockOrNegativeTimeout_Throws()
    {
        using var cond = new IpcCondition();
        Assert.Throws<InvalidOperationException>(() => cond.Wait(TimeSpan.Zero));
        Assert.Throws<InvalidOperationException>(() => cond.Notify());
        using (cond.Acquire())
            Assert.Throws<ArgumentOutOfRangeException>(() => cond.Wait(TimeSpan.FromSeconds(-1)));
        cond.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cond.Acquire());
    }
}
