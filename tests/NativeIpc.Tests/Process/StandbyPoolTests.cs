using NativeIpc.Process;
using NUnit.Framework;

namespace NativeIpc.Tests.Process;

/// <summary>The warm children of <see cref="IpcStartMethod.Standby"/>: how many, what happens when one dies while it
/// waits, and that none outlives a SIGKILLed parent.</summary>
[TestFixture, Platform("Linux", Reason = "standby start is Linux-only (StandbyPool)")]
[NonParallelizable] // the start method and the standby pool are process-wide
public class StandbyPoolTests : ChildProcessFixture
{
    private string _file = "";

    [SetUp]
    public void NewFile() => _file = TestPaths.TempFile();

    [TearDown]
    public void Restore()
    {
        Multiprocessing.SetStartMethod(IpcStartMethod.Spawn);
        StandbyPool.Count = StandbyPool.DefaultCount;
        StandbyPool.RefillQuietMs = StandbyPool.DefaultRefillQuietMs;
        File.Delete(_file);
    }

    [Test]
    public void SetStartMethod_WithCount_KeepsThatManyWarmChildren()
    {
        Multiprocessing.SetStartMethod(IpcStartMethod.Standby, 3);
        Assert.That(Multiprocessing.WaitForStandby(ChildTimeout), Is.True, "the pool did not fill");
        var ready = StandbyPool.Ready;
        Assert.That(ready, Has.Length.EqualTo(3));
        Assert.That(ready.Select(c => c.Pid).Distinct().Count(), Is.EqualTo(3));
        Assert.That(ready.All(c => ProcessLiveness.IsAlive(c.Owner)), Is.True);

        int handed = StandbyPool.Handed;
        var started = Enumerable.Range(0, 3).Select(i => Track(IpcProcess.Start(ChildTargets.WriteSum, _file + i, i, 1L, 0.5))).ToArray();
        foreach (var p in started) JoinOrFail(p);
        Assert.That(StandbyPool.Handed, Is.EqualTo(handed + 3), "each back-to-back start was served by a warm child");
        Assert.That(started.Select(p => p.Pid), Is.EquivalentTo(ready.Select(c => (int?)c.Pid)));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(started[i].ExitCode, Is.EqualTo(0));
            Assert.That(File.ReadAllText(_file + i), Is.EqualTo((i + 1.5).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            File.Delete(_file + i);
        }
        Assert.That(Multiprocessing.WaitForStandby(ChildTimeout), Is.True, "the pool was not refilled");
        Assert.That(StandbyPool.Ready, Has.Length.EqualTo(3));

        Multiprocessing.SetStartMethod(IpcStartMethod.Spawn);
        Assert.That(StandbyPool.Ready, Is.Empty);
    }

    [Test]
    public void StandbyThatDiesWhileWaiting_IsReplaced_NeverHandedOut()
    {
        Multiprocessing.SetStartMethod(IpcStartMethod.Standby, 1);
        Assert.That(Multiprocessing.WaitForStandby(ChildTimeout), Is.True, "the pool did not fill");
        var victim = StandbyPool.Ready.Single();
        victim.Stop(force: true);
        // Dead to the kernel (its owner lock is gone), possibly not reaped yet: a start now must not get it.
        Assert.That(Eventually(() => !ProcessLiveness.IsAlive(victim.Owner), ChildTimeout), Is.True);
        var p = Track(IpcProcess.Start(ChildTargets.WriteSum, _file, 40, 2L, 0.5));
        JoinOrFail(p);
        Assert.That(p.Pid, Is.Not.EqualTo(victim.Pid));
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllText(_file), Is.EqualTo("42.5"));

        // Killed while nobody starts anything: replaced in the background.
        Assert.That(Multiprocessing.WaitForStandby(ChildTimeout), Is.True, "the pool did not fill again");
        victim = StandbyPool.Ready.Single();
        int replaced = StandbyPool.Replaced;
        victim.Stop(force: true);
        Assert.That(Eventually(() => StandbyPool.Replaced > replaced && StandbyPool.Ready is [var c] && c.Pid != victim.Pid, ChildTimeout),
            Is.True, "the dead standby was not replaced");
        int handed = StandbyPool.Handed;
        var q = Track(IpcProcess.Start(ChildTargets.WriteSum, _file, 1, 2L, 0.5));
        JoinOrFail(q);
        Assert.That(StandbyPool.Handed, Is.EqualTo(handed + 1), "the replacement served the start");
        Assert.That(q.Pid, Is.Not.EqualTo(victim.Pid));
        Assert.That(q.ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllText(_file), Is.EqualTo("3.5"));
    }

    [Test]
    public void BurstOfStarts_RefillsOnlyWhenQuietOrLow()
    {
        // A long quiet time, so the test does not depend on how fast this machine starts processes.
        StandbyPool.RefillQuietMs = 3_000;
        Multiprocessing.SetStartMethod(IpcStartMethod.Standby, 8); // low watermark: 2 left
        Assert.That(Multiprocessing.WaitForStandby(ChildTimeout), Is.True, "the pool did not fill");
        int spawned = StandbyPool.Spawned, handed = StandbyPool.Handed;

        var burst = Enumerable.Range(0, 3).Select(i => Track(IpcProcess.Start(ChildTargets.WriteSum, _file + i, i, 1L, 0.5))).ToArray();
        Assert.That(StandbyPool.Handed, Is.EqualTo(handed + 3), "the burst was served by warm children");
        Assert.That(StandbyPool.Spawned, Is.EqualTo(spawned), "no runtime booted beside the burst (5 of 8 still ready)");
        foreach (var p in burst) JoinOrFail(p);
        Assert.That(burst.All(p => p.ExitCode == 0), Is.True);
        Assert.That(Eventually(() => StandbyPool.Spawned == spawned + 3, ChildTimeout), Is.True, "refilled once quiet");

        Assert.That(Multiprocessing.WaitForStandby(ChildTimeout), Is.True, "the pool did not fill again");
        spawned = StandbyPool.Spawned;
        var drain = Enumerable.Range(3, 6).Select(i => Track(IpcProcess.Start(ChildTargets.WriteSum, _file + i, i, 1L, 0.5))).ToArray();
        // 6 of 8 taken: 2 left is the low watermark, so the refill starts now, not after the quiet time.
        Assert.That(Eventually(() => StandbyPool.Spawned > spawned, TimeSpan.FromMilliseconds(2_000)), Is.True, "a pool running low refills at once");
        foreach (var p in drain) JoinOrFail(p);
        Assert.That(drain.All(p => p.ExitCode == 0), Is.True);
        for (int i = 0; i < 9; i++) File.Delete(_file + i);
    }

    [Test]
    public void ParentSigkilled_LeavesNoStandbyChild()
    {
        var parent = Track(IpcProcess.Start(KeepStandbysAndWait, _file, 2));
        Assert.That(Eventually(() => File.Exists(_file) && File.ReadAllText(_file).EndsWith('\n'), ChildTimeout), Is.True, "the parent never filled its pool");
        int[] owners = File.ReadAllText(_file).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        Assert.That(owners, Has.Length.EqualTo(2));
        Assert.That(owners.All(ProcessLiveness.IsAlive), Is.True, "standbys alive before the parent dies");
        parent.Kill();
        JoinOrFail(parent);
        Assert.That(parent.ExitCode, Is.EqualTo(-9));
        Assert.That(Eventually(() => !owners.Any(ProcessLiveness.IsAlive), ChildTimeout), Is.True, "a standby outlived its SIGKILLed parent");
    }

    /// <summary>In a child: keeps <paramref name="count"/> standbys, writes their owner ids, then waits to be killed.</summary>
    public static void KeepStandbysAndWait(string file, int count)
    {
        Multiprocessing.SetStartMethod(IpcStartMethod.Standby, count);
        if (!Multiprocessing.WaitForStandby(TimeSpan.FromSeconds(60))) Environment.Exit(3);
        File.WriteAllText(file, string.Join(",", StandbyPool.Ready.Select(c => c.Owner)) + "\n");
        Thread.Sleep(TimeSpan.FromMinutes(2));
    }
}
