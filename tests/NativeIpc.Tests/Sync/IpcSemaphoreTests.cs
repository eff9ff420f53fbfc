using NUnit.Framework;

namespace NativeIpc.Tests.Sync;

[TestFixture]
public class IpcSemaphoreTests : ChildProcessFixture
{
    [Test]
    public void Acquire_CountsDownAndReleaseCountsUp()
    {
        using var sem = new IpcSemaphore(2);
        Assert.That(sem.TryAcquire(), Is.True);
        Assert.That(sem.TryAcquire(), Is.True);
        Assert.That(sem.TryAcquire(TimeSpan.FromMilliseconds(50)), Is.False);
        sem.Release(2);
        Assert.That(sem.Value, Is.EqualTo(2));
        using (sem.Acquire()) Assert.That(sem.Value, Is.EqualTo(1));
        Assert.That(sem.Value, Is.EqualTo(2));
    }

    [Test]
    public void Acquire_WaitingThread_WokenByRelease()
    {
        using var sem = new IpcSemaphore(0);
        var t = Task.Run(() => sem.TryAcquire(TimeSpan.FromSeconds(20)));
        Thread.Sleep(100);
        sem.Release();
        Assert.That(t.Wait(TimeSpan.FromSeconds(20)) && t.Result, Is.True);
    }

    [Test]
    public void Constructor_NegativeCount_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new IpcSemaphore(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new IpcBoundedSemaphore(-1));
        using var sem = new IpcSemaphore(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sem.Release(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sem.TryAcquire(TimeSpan.FromMilliseconds(-3)));
    }

    [Test]
    public void Release_BoundedAboveInitialValue_ThrowsSemaphoreFull()
    {
        using var sem = new IpcBoundedSemaphore(1);
        Assert.Throws<SemaphoreFullException>(() => sem.Release());
        using (sem.Acquire()) { }
        Assert.Throws<SemaphoreFullException>(() => sem.Release());
        Assert.That(sem.Value, Is.EqualTo(1));
    }

    [Test]
    public void Release_UnboundedAboveInitialValue_Allowed()
    {
        using var sem = new IpcSemaphore(0);
        sem.Release();
        sem.Release();
        Assert.That(sem.Value, Is.EqualTo(2));
    }

    [Test]
    public void Acquire_PermitTakenByKilledProcess_IsNotReturned()
    {
        using var sem = new IpcBoundedSemaphore(1);
        using var acquired = new IpcEvent();
        var child = Track(IpcProcess.Start(SyncChildTargets.TakePermitForever, (IpcSemaphore)sem, acquired));
        Assert.That(acquired.Wait(ChildTimeout), Is.True);
        child.Kill();
        JoinOrFail(child);
        Assert.That(sem.TryAcquire(TimeSpan.FromMilliseconds(300)), Is.False, "documented: permits are not owned");
        sem.Release();
        Assert.That(sem.TryAcquire(), Is.True);
    }

    [Test]
    public void AnyMember_AfterDispose_ThrowsObjectDisposed()
    {
        var sem = new IpcBoundedSemaphore(1);
        sem.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sem.TryAcquire());
        Assert.Throws<ObjectDisposedException>(() => sem.Release());
        Assert.Throws<ObjectDisposedException>(() => _ = sem.Value);
    }
}
