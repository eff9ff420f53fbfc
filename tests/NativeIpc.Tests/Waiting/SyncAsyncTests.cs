using System.Diagnostics;
using NativeIpc.Tests.Sync;
using NUnit.Framework;

namespace NativeIpc.Tests.Waiting;

[TestFixture]
public class SyncAsyncTests : ChildProcessFixture
{
    [Test]
    public async Task AcquireAsync_LockReleasedByChild_Completes()
    {
        using var lk = new IpcLock();
        using var acquired = new IpcEvent();
        var p = Track(IpcProcess.Start(WaitingChildTargets.HoldLockThenRelease, lk, acquired, 300));
        Assert.That(await acquired.WaitAsync(ChildTimeout), Is.True);
        using (await lk.AcquireAsync(ChildTimeout))
            Assert.That(lk.IsLocked, Is.True);
        Assert.That(lk.IsLocked, Is.False);
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public async Task AcquireAsync_HolderKilled_ThrowsAbandonedHoldingTheLock()
    {
        using var lk = new IpcLock();
        using var acquired = new IpcEvent();
        var p = Track(IpcProcess.Start(SyncChildTargets.HoldLockForever, lk, acquired));
        Assert.That(acquired.Wait(ChildTimeout), Is.True);
        var wait = lk.AcquireAsync(ChildTimeout).AsTask();
        p.Kill();
        JoinOrFail(p);
        Assert.That(async () => await wait, Throws.InstanceOf<IpcAbandonedLockException>());
        Assert.That(lk.IsLocked, Is.True);
        lk.Release();
    }

    [Test]
    public async Task AcquireAsync_Cancelled_DoesNotTakeTheLockAndLeavesNoRegistration()
    {
        using var lk = new IpcLock();
        lk.Acquire();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        Assert.That(async () => await lk.AcquireAsync(ChildTimeout, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0));
        lk.Release();
        Assert.That(lk.IsLocked, Is.False);
        Assert.That(async () => await lk.AcquireAsync(TimeSpan.FromMilliseconds(50)).AsTask().ContinueWith(t => { t.Result.Dispose(); }), Throws.Nothing);
    }

    [Test]
    public async Task AcquireAsync_Timeout_ThrowsTimeoutException()
    {
        using var lk = new IpcLock();
        lk.Acquire();
        var sw = Stopwatch.StartNew();
        Assert.That(async () => await lk.AcquireAsync(TimeSpan.FromMilliseconds(150)), Throws.InstanceOf<TimeoutException>());
        Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(140)));
        lk.Release();
        await Task.CompletedTask;
    }

    [Test]
    public async Task RLock_AcquireAsync_OwnedByTheAsyncFlowAcrossThreads()
    {
        using var rl = new IpcRLock();
        using (await rl.AcquireAsync(ChildTimeout))
        {
            await Task.Yield(); // continue on some pool thread
            Assert.That(rl.IsOwnedByCurrentThread, Is.True);
            using (await rl.AcquireAsync(ChildTimeout)) Assert.That(rl.RecursionCount, Is.EqualTo(2));
            await Task.Delay(10);
            Assert.That(rl.RecursionCount, Is.EqualTo(1));
        }
        Assert.That(rl.TryAcquire(), Is.True);
        rl.Release();
    }

    [Test]
    public async Task WaitAsync_SemaphoreReleasedByChild_TakesThePermit()
    {
        using var sem = new IpcSemaphore(0);
        var p = Track(IpcProcess.Start(WaitingChildTargets.ReleaseSemaphoreAfter, sem, 200));
        Assert.That(await sem.WaitAsync(ChildTimeout), Is.True);
        Assert.That(sem.Value, Is.EqualTo(0));
        JoinOrFail(p);
        Assert.That(await sem.WaitAsync(TimeSpan.FromMilliseconds(50)), Is.False);
    }

    [Test]
    public async Task WaitAsync_ConditionNotifiedByChild_ReturnsTrueHoldingTheLock()
    {
        using var cond = new IpcCondition();
        using var stop = new IpcEvent();
        var p = Track(IpcProcess.Start(WaitingChildTargets.NotifyUntil, cond, stop));
        using (await cond.AcquireAsync(ChildTimeout))
        {
            Assert.That(await cond.WaitAsync(ChildTimeout), Is.True);
            await Task.Yield();
            Assert.That(() => cond.Notify(0), Throws.Nothing, "the caller's flow owns the lock again");
        }
        stop.Set();
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public async Task WaitAsync_ConditionCancelled_ReacquiresTheLockAndConsumesNothing()
    {
        using var lk = new IpcLock();
        using var cond = new IpcCondition(lk);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        using (await cond.AcquireAsync(ChildTimeout))
        {
            Assert.That(async () => await cond.WaitAsync(ChildTimeout, cts.Token), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(cond.WaitAsync(TimeSpan.FromMilliseconds(30)).AsTask().Result, Is.False, "no stale signal was left behind");
        }
        Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0));
    }

    [Test]
    public async Task SignalAndWaitAsync_WithChildParty_BothPass()
    {
        using var barrier = new IpcBarrier(2);
        string path = TestPaths.TempFile();
        try
        {
            var p = Track(IpcProcess.Start(SyncChildTargets.BarrierParty, barrier, path));
            int mine = await barrier.SignalAndWaitAsync(ChildTimeout);
            JoinOrFail(p);
            Assert.That(p.ExitCode, Is.EqualTo(0));
            int theirs = int.Parse(File.ReadAllText(path), System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(new[] { mine, theirs }.Order(), Is.EqualTo(new[] { 0, 1 }));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Wait_LastArriverKilledMidRelease_OthersAreNotStranded()
    {
        using var barrier = new IpcBarrier(2);
        string ready = TestPaths.TempFile();
        File.Delete(ready);
        try
        {
            // No timeout: before the fix, a releaser killed between counting itself and releasing left this
            // party waiting forever on a full count.
            var first = Task.Run(() => barrier.Wait());
            Assert.That(() => barrier.NWaiting == 1, Is.True.After(5000, 10));
            var p = Track(IpcProcess.Start(WaitingChildTargets.ArriveLastAndStall, barrier, ready));
            Assert.That(Eventually(() => File.Exists(ready), ChildTimeout), Is.True);
            p.Kill();
            JoinOrFail(p);
            // The dead party never arrived (arrival and release are one step): another party completes the round.
            var second = Task.Run(() => barrier.Wait());
            Assert.That(Task.WaitAll([first, second], TimeSpan.FromSeconds(10)), Is.True, "the round completes");
            Assert.That(new[] { first.Result, second.Result }.Order(), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(barrier.Broken, Is.False);
        }
        finally { File.Delete(ready); }
    }
}
