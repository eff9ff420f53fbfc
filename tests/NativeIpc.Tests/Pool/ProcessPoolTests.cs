using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Pool;

[TestFixture]
public class ProcessPoolTests : ChildProcessFixture
{
    private ProcessPool? _pool;

    private ProcessPool NewPool(int n = 2) => _pool = new ProcessPool(n);

    [TearDown]
    public void DisposePool()
    {
        _pool?.Dispose();
        _pool = null;
    }

    private static bool IsRunning(int pid) => OsLayer.Launcher.IsRunning(pid);

    [Test]
    public void Map_ReturnsResultsInInputOrder()
    {
        var pool = NewPool();
        Assert.That(pool.Map(PoolTargets.Square, Enumerable.Range(0, 10), timeout: ChildTimeout), Is.EqualTo(new[] { 0, 1, 4, 9, 16, 25, 36, 49, 64, 81 }));
    }

    /// <summary>Code written against <see cref="WorkerPool"/> (as for a <see cref="ClusterPool"/>) runs the map family
    /// and the life cycle on a process pool: ordered and unordered results, a pair map, then close and join.</summary>
    [Test]
    public async Task ThroughWorkerPool_MapFamilyAndLifeCycle_Work()
    {
        WorkerPool pool = NewPool();
        Assert.That(pool.Size, Is.EqualTo(2));
        Assert.That(pool.Map(PoolTargets.Square, Enumerable.Range(0, 50), timeout: ChildTimeout), Is.EqualTo(Enumerable.Range(0, 50).Select(x => x * x)));
        Assert.That(pool.ImapUnordered(PoolTargets.Square, Enumerable.Range(0, 20), timeout: ChildTimeout).Order(), Is.EqualTo(Enumerable.Range(0, 20).Select(x => x * x)));
        Assert.That(await pool.StarMapAsync(PoolTargets.Add, [(1, 2), (3, 4)]).WaitAsync(ChildTimeout), Is.EqualTo(new[] { 3, 7 }));
        var pids = ((ProcessPool)pool).Pids.ToArray();
        pool.Close();
        Assert.That(pool.Join(ChildTimeout), Is.True);
        foreach (int pid in pids) Assert.That(IsRunning(pid), Is.False, $"worker {pid} still runs after Join");
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(1000)]
    public void Map_AnyChunkSize_SameResults(int chunkSize)
    {
        var pool = NewPool();
        var expected = Enumerable.Range(0, 200).Select(x => x * x).ToArray();
        Assert.That(pool.Map(PoolTargets.Square, Enumerable.Range(0, 200), chunkSize, timeout: ChildTimeout), Is.EqualTo(expected));
        // A short last chunk (9 = 4 + 4 + 1), ordered, unordered and async.
        var nine = Enumerable.Range(0, 9).Select(x => x * x).ToArray();
        Assert.That(pool.Map(PoolTargets.Square, Enumerable.Range(0, 9), 4, timeout: ChildTimeout), Is.EqualTo(nine));
        Assert.That(pool.ImapUnordered(PoolTargets.Square, Enumerable.Range(0, 9), 4, timeout: ChildTimeout).Order(), Is.EqualTo(nine));
        Assert.That(pool.MapAsync(PoolTargets.Square, Enumerable.Range(0, 9), 4).Wait(ChildTimeout), Is.True);
    }

    [Test]
    public void Map_EmptyInput_ReturnsEmpty()
    {
        var pool = NewPool();
        Assert.That(pool.Map(PoolTargets.Square, Array.Empty<int>(), timeout: ChildTimeout), Is.Empty);
    }

    [Test]
    public void Map_CaptureFreeLambdaAndStrings_Work()
    {
        var pool = NewPool();
        Assert.That(pool.Map(static (string s) => s.ToUpperInvariant(), ["a", "bc"], timeout: ChildTimeout), Is.EqualTo(new[] { "A", "BC" }));
        Assert.That(pool.StarMap(PoolTargets.Describe, [("x", 1), ("y", 2)], timeout: ChildTimeout), Is.EqualTo(new[] { "x:1", "y:2" }));
    }

    [Test]
    public void Map_LambdaCapturingVariable_ThrowsArgumentException()
    {
        var pool = NewPool(1);
        int k = 3;
        Assert.Throws<ArgumentException>(() => pool.Map((int x) => x * k, [1], timeout: ChildTimeout));
    }

    [Test]
    public async Task MapAsync_CompletesWithResults()
    {
        var pool = NewPool();
        var r = await pool.MapAsync(PoolTargets.Square, Enumerable.Range(0, 50), 5).WaitAsync(ChildTimeout);
        Assert.That(r, Is.EqualTo(Enumerable.Range(0, 50).Select(x => x * x)));
    }

    [Test]
    public void Imap_YieldsFirstResultBeforeSlowLaterItemsFinish_InOrder()
    {
        var pool = NewPool();
        pool.Map(PoolTargets.Square, [1, 2], timeout: ChildTimeout); // workers up
        var sw = Stopwatch.StartNew();
        using var e = pool.Imap(PoolTargets.SleepThenReturn, [0, 10, 1500, 1600], timeout: ChildTimeout).GetEnumerator();
        Assert.That(e.MoveNext(), Is.True);
        Assert.That(e.Current, Is.EqualTo(0));
        Assert.That(sw.ElapsedMilliseconds, Is.LessThan(1000), "the first result should not wait for the slow items");
        var rest = new List<int>();
        while (e.MoveNext()) rest.Add(e.Current);
        Assert.That(rest, Is.EqualTo(new[] { 10, 1500, 1600 }));
    }

    [Test]
    public void ImapUnordered_YieldsEveryResult_FastOnesFirst()
    {
        var pool = NewPool();
        var got = pool.ImapUnordered(PoolTargets.SleepThenReturn, [SlowTaskMs, 0, 1, 2], timeout: ChildTimeout).ToList();
        Assert.That(got, Is.EquivalentTo(new[] { SlowTaskMs, 0, 1, 2 }));
        Assert.That(got[^1], Is.EqualTo(SlowTaskMs));
    }

    [Test]
    public void ApplyAsync_Get_ReturnsResultAndReportsState()
    {
        var pool = NewPool();
        var r = pool.ApplyAsync(PoolTargets.Square, 20);
        Assert.That(r.Get(ChildTimeout), Is.EqualTo(400));
        Assert.That(r.Ready, Is.True);
        Assert.That(r.Successful, Is.True);
        Assert.That(pool.Apply(PoolTargets.Add, 2, 3), Is.EqualTo(5));
    }

    [Test]
    public void ApplyAsync_GetWithShortTimeout_ThrowsTimeoutException_ThenCompletes()
    {
        var pool = NewPool();
        var r = pool.ApplyAsync(PoolTargets.SleepThenReturn, 1000);
        Assert.Throws<TimeoutException>(() => r.Get(TimeSpan.FromMilliseconds(50)));
        Assert.That(r.Ready, Is.False);
        Assert.Throws<InvalidOperationException>(() => _ = r.Successful);
        Assert.That(r.Wait(ChildTimeout), Is.True);
        Assert.That(r.Get(TimeSpan.Zero), Is.EqualTo(1000));
    }

    [Test]
    public void MapAndImap_ShortTimeout_ThrowTimeoutException()
    {
        var pool = NewPool(1);
        Assert.Throws<TimeoutException>(() => pool.Map(PoolTargets.SleepThenReturn, [1000], timeout: TimeSpan.FromMilliseconds(50)));
        Assert.Throws<TimeoutException>(() => pool.Imap(PoolTargets.SleepThenReturn, [1000], timeout: TimeSpan.FromMilliseconds(50)).First());
    }

    [Test]
    public void ExceptionInFunction_FailsThatTaskWithIpcRemoteException_PoolKeepsWorking()
    {
        var pool = NewPool();
        var pids = pool.Pids.ToArray();
        var r = pool.ApplyAsync(PoolTargets.ThrowIfNegative, -5);
        var e = Assert.Throws<IpcRemoteException>(() => r.Get(ChildTimeout));
        Assert.That(e!.RemoteType, Is.EqualTo("System.InvalidOperationException"));
        Assert.That(e.RemoteMessage, Is.EqualTo("negative: -5"));
        Assert.That(e.RemoteStackTrace, Does.Contain(nameof(PoolTargets.ThrowIfNegative)));
        Assert.That(r.Successful, Is.False);

        Assert.Throws<IpcRemoteException>(() => pool.Map(PoolTargets.ThrowIfNegative, [1, -1, 2], timeout: ChildTimeout));
        Assert.That(pool.Map(PoolTargets.ThrowIfNegative, [1, 2, 3], timeout: ChildTimeout), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(pool.Pids, Is.EquivalentTo(pids), "no worker was lost");
    }

    [Test]
    public void WorkerKilledMidTask_ThatTaskFailsWithWorkerLost_OthersComplete_PoolSizeRestored()
    {
        var pool = NewPool();
        string file = TestPaths.TempFile();
        try
        {
            var doomed = pool.ApplyAsync(PoolTargets.WritePidThenSleep, file, 60_000);
            Assert.That(Eventually(() => File.Exists(file), ChildTimeout), Is.True, "the task never started");
            int victim = int.Parse(File.ReadAllText(file), System.Globalization.CultureInfo.InvariantCulture);
            var others = pool.MapAsync(PoolTargets.Square, Enumerable.Range(0, 20));

            System.Diagnostics.Process.GetProcessById(victim).Kill();

            var e = Assert.Throws<IpcWorkerLostException>(() => doomed.Get(ChildTimeout));
            Assert.That(e!.Pid, Is.EqualTo(victim));
            Assert.That(e.ExitCode, Is.EqualTo(ExternallyKilledExitCode));
            Assert.That(others.Wait(ChildTimeout), Is.True);
            Assert.That(others.Result, Is.EqualTo(Enumerable.Range(0, 20).Select(x => x * x)));
            Assert.That(Eventually(() => pool.Pids.Count == 2 && !pool.Pids.Contains(victim), ChildTimeout), Is.True,
                $"pool size not restored: {string.Join(",", pool.Pids)}");
            Assert.That(pool.Map(PoolTargets.Square, [3, 4], timeout: ChildTimeout), Is.EqualTo(new[] { 9, 16 }));
        }
        finally { File.Delete(file); }
    }

    [Test]
    public void FunctionCallsEnvironmentExit_TaskFailsWithWorkerLost_AndExitCode()
    {
        var pool = NewPool(1);
        var e = Assert.Throws<IpcWorkerLostException>(() => pool.ApplyAsync(PoolTargets.Exit, 3).Get(ChildTimeout));
        Assert.That(e!.ExitCode, Is.EqualTo(3));
        Assert.That(pool.Apply(PoolTargets.Square, 5), Is.EqualTo(25));
        Assert.That(pool.Pids, Has.Count.EqualTo(1));
    }

    [Test]
    public void MaxTasksPerChild_WorkerReplacedAfterItsQuota_NoTaskLost()
    {
        var pool = _pool = new ProcessPool(1, maxTasksPerChild: 2);
        var pids = Enumerable.Range(0, 6).Select(_ => pool.ApplyAsync(PoolTargets.Pid).Get(ChildTimeout)).ToArray();
        Assert.That(pids.Distinct().Count(), Is.EqualTo(3), string.Join(",", pids));
        Assert.That(pids.GroupBy(p => p).Select(g => g.Count()), Is.All.EqualTo(2));
        Assert.That(pool.Map(PoolTargets.Square, Enumerable.Range(0, 9), timeout: ChildTimeout), Is.EqualTo(Enumerable.Range(0, 9).Select(x => x * x)));
    }

    [Test]
    public void Initializer_RunsInEachWorkerBeforeTasks()
    {
        var pool = _pool = new ProcessPool(2, initializer: (Action<string, int>)PoolTargets.SetGreeting, initArgs: ["hi", 7]);
        Assert.That(pool.Map(PoolTargets.Greeting, [1, 2, 3], timeout: ChildTimeout), Is.EqualTo(new[] { "hi7:1", "hi7:2", "hi7:3" }));
        Assert.Throws<ArgumentException>(() => _ = new ProcessPool(1, initializer: (Action<string, int>)PoolTargets.SetGreeting, initArgs: ["only one"]));
    }

    [Test]
    public void CloseThenJoin_FinishesQueuedWork_WorkersExit()
    {
        var pool = NewPool();
        var pids = pool.Pids.ToArray();
        var pending = pool.MapAsync(PoolTargets.SleepThenReturn, [100, 100, 100, 100]);
        pool.Close();
        Assert.Throws<InvalidOperationException>(() => pool.ApplyAsync(PoolTargets.Square, 1));
        Assert.That(pool.Join(ChildTimeout), Is.True);
        Assert.That(pending.IsCompletedSuccessfully, Is.True);
        Assert.That(pending.Result, Is.EqualTo(new[] { 100, 100, 100, 100 }));
        Assert.That(pids.Any(IsRunning), Is.False);
    }

    [Test]
    public void CloseThenJoin_WithMaxTasksPerChild_StillFinishesAllQueuedWork()
    {
        var pool = _pool = new ProcessPool(1, maxTasksPerChild: 1);
        var pending = pool.MapAsync(PoolTargets.Square, Enumerable.Range(0, 4));
        pool.Close();
        Assert.That(pool.Join(ChildTimeout), Is.True);
        Assert.That(pending.IsCompletedSuccessfully, Is.True);
        Assert.That(pending.Result, Is.EqualTo(new[] { 0, 1, 4, 9 }));
    }

    [Test]
    public void Join_WithoutClose_ThrowsInvalidOperation()
    {
        var pool = NewPool(1);
        Assert.Throws<InvalidOperationException>(() => pool.Join(TimeSpan.Zero));
    }

    [Test]
    public void Terminate_FailsUnfinishedTasks()
    {
        var pool = NewPool(1);
        var r = pool.ApplyAsync(PoolTargets.SleepThenReturn, 60_000);
        Thread.Sleep(200);
        pool.Terminate();
        Assert.Throws<InvalidOperationException>(() => r.Get(ChildTimeout));
    }

    [Test]
    public void Dispose_LeavesNoWorkerProcessAndNoSharedMemory()
    {
        var shmBefore = OurShmEntries();
        var pool = new ProcessPool(2);
        pool.Map(PoolTargets.Square, [1, 2, 3], timeout: ChildTimeout);
        var pids = pool.Pids.ToArray();
        Assert.That(pids, Has.Length.EqualTo(2));
        if (OperatingSystem.IsLinux()) Assert.That(OurShmEntries().Except(shmBefore), Is.Not.Empty, "the pool should use shared memory");
        string cancelTable = pool.CancelTable.Name; // one of its segments, on every OS
        Assert.That(SegmentExists(cancelTable), Is.True);
        pool.Dispose();
        Assert.That(pids.Any(IsRunning), Is.False);
        Assert.That(Eventually(() => !SegmentExists(cancelTable), TimeSpan.FromSeconds(5)), Is.True, "the pool's segment outlived it");
        Assert.That(Multiprocessing.ActiveChildren().Select(c => c.Pid), Has.None.AnyOf(pids.Cast<int?>().ToArray()));
        // Only this process's own segments: other programs on the machine may be using NativeIpc at the same time.
        Assert.That(OurShmEntries().Except(shmBefore).Where(n => SegmentNames.CreatorOwner(n) == ProcessLiveness.Self), Is.Empty);
    }

    [Test]
    public void Facade_PoolDefaultsToCpuCount()
    {
        var pool = _pool = Multiprocessing.Pool();
        Assert.That(pool.Size, Is.EqualTo(Multiprocessing.CpuCount));
        Assert.That(pool.Apply(PoolTargets.Pid), Is.AnyOf(pool.Pids.ToArray()));
    }
}
