using NUnit.Framework;

namespace NativeIpc.Tests.Sync;

[TestFixture]
public class IpcRLockTests : ChildProcessFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Test]
    public void Acquire_Reentrant_NeedsOneReleasePerAcquire()
    {
        using var lk = new IpcRLock();
        using (lk.Acquire())
        using (lk.Acquire())
        {
            Assert.That(lk.RecursionCount, Is.EqualTo(2));
            Assert.That(Task.Run(() => lk.TryAcquire()).Result, Is.False, "another thread cannot enter");
        }
        Assert.That(lk.IsOwnedByCurrentThread, Is.False);
        Assert.That(Task.Run(() => { bool ok = lk.TryAcquire(); if (ok) lk.Release(); return ok; }).Result, Is.True);
    }

    [Test]
    public void Release_ByAnotherProcessWhileOwned_IsRefused()
    {
        using var lk = new IpcRLock();
        string path = TestPaths.TempFile();
        try
        {
            using (lk.Acquire())
            {
                var p = Track(IpcProcess.Start(SyncChildTargets.ReleaseRLockExpectingRefusal, lk, path));
                JoinOrFail(p);
                Assert.That(File.ReadAllText(path), Is.EqualTo("refused"));
                Assert.That(lk.IsOwnedByCurrentThread, Is.True);
            }
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Release_ByAnotherThreadOrUnowned_ThrowsInvalidOperation()
    {
        using var lk = new IpcRLock();
        Assert.Throws<InvalidOperationException>(() => lk.Release());
        lk.Acquire();
        Assert.That(() => Task.Run(() => lk.Release()).Wait(Wait), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<InvalidOperationException>());
        lk.Release();
    }

    [Test]
    public void Acquire_AfterOwnerKilled_ThrowsAbandonedAndOwnsAtLevelOne()
    {
        using var lk = new IpcRLock();
        using var acquired = new IpcEvent();
        var child = Track(IpcProcess.Start(SyncChildTargets.HoldRLockForever, lk, acquired));
        Assert.That(acquired.Wait(ChildTimeout), Is.True);
        child.Kill();
        Assert.Throws<IpcAbandonedLockException>(() => lk.Acquire(TimeSpan.FromSeconds(5)));
        Assert.That(lk.IsOwnedByCurrentThread, Is.True);
        Assert.That(lk.RecursionCount, Is.EqualTo(1));
        lk.Release();
        Assert.That(lk.IsOwnedByCurrentThread, Is.False);
    }

    [Test]
    public void Misuse_NegativeTimeoutOrDisposed_Throws()
    {
        var lk = new IpcRLock();
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.Acquire(TimeSpan.FromMilliseconds(-5)));
        lk.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lk.Acquire());
    }
}
