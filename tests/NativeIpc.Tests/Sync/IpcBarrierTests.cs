using NUnit.Framework;

namespace NativeIpc.Tests.Sync;

[TestFixture]
public class IpcBarrierTests : ChildProcessFixture
{
    [Test]
    public void Wait_ThreeProcesses_AllPassWithDistinctIndexesAndActionRunsOnce()
    {
        using var runs = SharedCounter.Create();
        Environment.SetEnvironmentVariable(SyncChildTargets.BarrierCounterVariable, runs.Name);
        using var barrier = new IpcBarrier(3, SyncChildTargets.CountBarrierAction);
        var paths = new[] { TestPaths.TempFile(), TestPaths.TempFile() };
        try
        {
            var children = paths.Select(path => Track(IpcProcess.Start(SyncChildTargets.BarrierParty, barrier, path))).ToList();
            int mine = barrier.Wait(ChildTimeout);
            foreach (var c in children)
            {
                JoinOrFail(c);
                Assert.That(c.ExitCode, Is.EqualTo(0));
            }
            var indexes = paths.Select(p => int.Parse(File.ReadAllText(p), System.Globalization.CultureInfo.InvariantCulture)).Append(mine).Order();
            Assert.That(indexes, Is.EqualTo(new[] { 0, 1, 2 }));
            Assert.That(runs.Value, Is.EqualTo(1), "the action runs once, in the last arriver's process");
            Assert.That(barrier.Broken, Is.False);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SyncChildTargets.BarrierCounterVariable, null);
            foreach (var p in paths) File.Delete(p);
        }
    }

    [Test]
    public void Start_WithBarrierWhoseActionCaptures_ThrowsArgumentExceptionBeforeSpawning()
    {
        int captured = 0;
        using var barrier = new IpcBarrier(2, () => captured++);
        var p = IpcProcess.Create(SyncChildTargets.BarrierParty, barrier, "unused");
        Assert.Throws<ArgumentException>(() => p.Start());
        Assert.That(p.Pid, Is.Null);
        p.Dispose();
    }

    [Test]
    public void Wait_PartyKilledBeforeArriving_TimeoutBreaksBarrier()
    {
        using var barrier = new IpcBarrier(2, timeout: TimeSpan.FromMilliseconds(300));
        string path = TestPaths.TempFile();
        var p = Track(IpcProcess.Start(SyncChildTargets.BarrierPartyAfterDelay, barrier, path, 60_000));
        p.Kill();
        JoinOrFail(p);
        Assert.Throws<IpcBrokenBarrierException>(() => barrier.Wait());
        Assert.That(barrier.Broken, Is.True);
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Wait_TimesOut_BreaksBarrierForEveryone()
    {
        using var barrier = new IpcBarrier(3);
        var other = Task.Run(() => barrier.Wait(TimeSpan.FromSeconds(20)));
        Assert.That(() => barrier.NWaiting == 1, Is.True.After(5000, 10));
        Assert.Throws<IpcBrokenBarrierException>(() => barrier.Wait(TimeSpan.FromMilliseconds(100)));
        Assert.That(() => other.Wait(TimeSpan.FromSeconds(20)), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<IpcBrokenBarrierException>());
        Assert.That(barrier.Broken, Is.True);
        Assert.Throws<IpcBrokenBarrierException>(() => barrier.Wait(TimeSpan.FromSeconds(1)));
        barrier.Reset();
        Assert.That(barrier.Broken, Is.False);
    }

    [Test]
    public void AbortAndReset_WakeWaitersWithBrokenBarrier()
    {
        using var barrier = new IpcBarrier(2);
        var waiter = Task.Run(() => barrier.Wait(TimeSpan.FromSeconds(20)));
        Assert.That(() => barrier.NWaiting == 1, Is.True.After(5000, 10));
        barrier.Reset();
        Assert.That(() => waiter.Wait(TimeSpan.FromSeconds(20)), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<IpcBrokenBarrierException>());
        var second = Task.Run(() => barrier.Wait(TimeSpan.FromSeconds(20)));
        Assert.That(barrier.Wait(TimeSpan.FromSeconds(20)), Is.InRange(0, 1));
        Assert.That(second.Wait(TimeSpan.FromSeconds(20)), Is.True);
        barrier.Abort();
        Assert.Throws<IpcBrokenBarrierException>(() => barrier.Wait(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Wait_ActionThrows_BreaksBarrier()
    {
        using var barrier = new IpcBarrier(1, () => throw new InvalidOperationException("boom"));
        var e = Assert.Throws<IpcBrokenBarrierException>(() => barrier.Wait(TimeSpan.FromSeconds(1)));
        Assert.That(e!.InnerException, Is.InstanceOf<InvalidOperationException>());
        Assert.That(barrier.Broken, Is.True);
    }

    [Test]
    public void Misuse_BadPartiesNegativeTimeoutDisposed_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new IpcBarrier(0));
        var barrier = new IpcBarrier(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => barrier.Wait(TimeSpan.FromMilliseconds(-9)));
        barrier.Dispose();
        Assert.Throws<ObjectDisposedException>(() => barrier.Wait());
    }
}
