using NUnit.Framework;

namespace NativeIpc.Tests.Pool;

/// <summary>Cancelling a pool call removes its queued tasks from the pool: the workers stop running them.</summary>
[TestFixture]
public class ProcessPoolCancellationTests : ChildProcessFixture
{
    private const int SlowMs = 50;
    private const int Items = 200;
    private ProcessPool? _pool;
    private SharedArray<int>? _started;

    [SetUp]
    public void MakeCounter() => _started = SharedArray<int>.Create(1);

    [TearDown]
    public void DisposePool()
    {
        _pool?.Dispose();
        _pool = null;
        _started?.Dispose();
    }

    private int Started => Volatile.Read(ref _started![0]);

    /// <summary>After a cancel the count must stop growing: tasks count themselves as they start, and at most one per
    /// worker can be between its take and the cancel mark.</summary>
    private void AssertWorkersStopped(int workers)
    {
        int atCancel = Started;
        Thread.Sleep(SlowMs * 10); // ten more tasks' worth per worker, had they kept going
        int later = Started;
        Assert.That(later - atCancel, Is.LessThanOrEqualTo(workers), $"workers kept running cancelled tasks: {atCancel} -> {later}");
        Assert.That(later, Is.LessThan(Items / 2), "most of the map should never have run");
    }

    private void AssertPoolStillWorks()
        => Assert.That(_pool!.Map(PoolTargets.Square, Enumerable.Range(0, 20), timeout: ChildTimeout), Is.EqualTo(Enumerable.Range(0, 20).Select(x => x * x)));

    private IEnumerable<(SharedArray<int>, int)> SlowItems() => Enumerable.Repeat((_started!, SlowMs), Items);

    [Test]
    public void Map_Cancelled_ThrowsOperationCanceled_WorkersSkipTheRest_PoolStillWorks()
    {
        var pool = _pool = new ProcessPool(2);
        using var cts = new CancellationTokenSource();
        var map = Task.Run(() => pool.StarMap(PoolTargets.CountThenSleep, SlowItems(), chunkSize: 1, cancellationToken: cts.Token));
        Assert.That(Eventually(() => Started >= 4, ChildTimeout), Is.True, "the map never started");
        cts.Cancel();
        var e = Assert.Throws<AggregateException>(() => map.Wait(ChildTimeout));
        Assert.That(e!.InnerException, Is.InstanceOf<OperationCanceledException>());
        AssertWorkersStopped(2);
        AssertPoolStillWorks();
    }

    [Test]
    public void MapAsync_Cancelled_TaskIsCanceled_WorkersSkipTheRest()
    {
        var pool = _pool = new ProcessPool(2);
        using var cts = new CancellationTokenSource();
        var map = pool.StarMapAsync(PoolTargets.CountThenSleep, SlowItems(), chunkSize: 1, cancellationToken: cts.Token);
        Assert.That(Eventually(() => Started >= 4, ChildTimeout), Is.True, "the map never started");
        cts.Cancel();
        Assert.That(map.IsCanceled, Is.True, "cancellation completes the task at once");
        AssertWorkersStopped(2);
        AssertPoolStillWorks();
    }

    [Test]
    public async Task ImapAsync_EnumeratorTokenCancelled_StopsTheWorkers()
    {
        var pool = _pool = new ProcessPool(2);
        using var cts = new CancellationTokenSource();
        int yielded = 0;
        Assert.ThrowsAsync(Is.InstanceOf<OperationCanceledException>(), async () =>
        {
            var items = Enumerable.Range(0, Items).Select(_ => SlowMs);
            await foreach (int _ in pool.ImapAsync(PoolTargets.SleepThenReturn, items).WithCancellation(cts.Token))
                if (++yielded == 4) cts.Cancel();
        });
        Assert.That(yielded, Is.EqualTo(4));
        // Nothing counts SleepThenReturn: show the queue drained instead, by a map that must not wait behind 196 tasks.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(await pool.MapAsync(PoolTargets.Square, [5]).WaitAsync(ChildTimeout), Is.EqualTo(new[] { 25 }));
        Assert.That(sw.ElapsedMilliseconds, Is.LessThan(Items / 2 * SlowMs), "the cancelled tasks still ran before it");
    }

    [Test]
    public void Imap_Cancelled_EnumerationThrows_WorkersStop()
    {
        var pool = _pool = new ProcessPool(2);
        using var cts = new CancellationTokenSource();
        using var e = pool.Imap(PoolTargets.CountThenSleepBriefly, Enumerable.Repeat(_started!, Items), cancellationToken: cts.Token).GetEnumerator();
        Assert.That(e.MoveNext(), Is.True);
        cts.Cancel();
        Assert.That(() => { while (e.MoveNext()) { } }, Throws.InstanceOf<OperationCanceledException>());
        AssertWorkersStopped(2);
        AssertPoolStillWorks();
    }

    [Test]
    public void ApplyAsync_AlreadyCancelledToken_QueuesNothing()
    {
        var pool = _pool = new ProcessPool(1);
        var r = pool.ApplyAsync(PoolTargets.Square, 2, new CancellationToken(canceled: true));
        Assert.That(r.Ready, Is.True);
        Assert.Throws<TaskCanceledException>(() => r.Get(TimeSpan.Zero));
        Assert.That(pool.TaskQueue.Ring.HasData, Is.False);
        Assert.That(() => pool.Map(PoolTargets.Square, [1, 2], new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(pool.TaskQueue.Ring.HasData, Is.False);
    }

    [Test]
    public void RunningTaskFinishes_ItsResultIsDiscarded_NextTasksRun()
    {
        var pool = _pool = new ProcessPool(1);
        using var cts = new CancellationTokenSource();
        var running = pool.ApplyAsync(PoolTargets.CountThenSleep, _started!, 400, cts.Token);
        Assert.That(Eventually(() => Started == 1, ChildTimeout), Is.True);
        cts.Cancel();
        Assert.Throws<TaskCanceledException>(() => running.Get(ChildTimeout));
        // The worker finishes the task it held (its result dropped by the collector), then serves the next one.
        Assert.That(pool.Apply(PoolTargets.Square, 9), Is.EqualTo(81));
        Assert.That(pool.ToString(), Does.Contain("pending=0"));
    }

    [Test]
    public void CancelMarkWrittenByAPeer_ForATaskNobodyCancelled_FailsIt_NeverHangs()
    {
        var pool = _pool = new ProcessPool(1);
        var busy = pool.ApplyAsync(PoolTargets.SleepThenReturn, 300); // task 1
        var victim = pool.ApplyAsync(PoolTargets.Square, 3);          // task 2, queued
        pool.CancelTable[2] = 2;
        Assert.That(() => victim.Get(ChildTimeout), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(busy.Get(ChildTimeout), Is.EqualTo(300));
        Assert.That(pool.Apply(PoolTargets.Square, 4), Is.EqualTo(16));
    }
}
