using System.Collections.Concurrent;
using NUnit.Framework;

namespace NativeIpc.Tests.Pool;

/// <summary>The pool's async surface: awaitable results, async maps and iterators, progress, chunk size, callbacks.</summary>
[TestFixture]
public class ProcessPoolAsyncTests : ChildProcessFixture
{
    private ProcessPool? _pool;

    private ProcessPool NewPool(int n = 2) => _pool = new ProcessPool(n);

    [TearDown]
    public void DisposePool()
    {
        _pool?.Dispose();
        _pool = null;
    }

    /// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them later).</summary>
    private sealed class Recorder : IProgress<int>
    {
        public readonly ConcurrentQueue<int> Reports = new();

        public void Report(int value) => Reports.Enqueue(value);
    }

    [Test]
    public async Task AwaitApplyAsync_ReturnsTheResult()
    {
        var pool = NewPool();
        int square = await pool.ApplyAsync(PoolTargets.Square, 7).AsTask().WaitAsync(ChildTimeout);
        Assert.That(square, Is.EqualTo(49));
        Assert.That(await pool.ApplyAsync(PoolTargets.Add, 2, 3), Is.EqualTo(5));
        Assert.That(await pool.ApplyAsync(PoolTargets.Describe, "a", 1).ConfigureAwait(false), Is.EqualTo("a:1"));
    }

    [Test]
    public async Task AwaitApplyAsync_FunctionThrows_AwaitThrowsIpcRemoteException()
    {
        var pool = NewPool(1);
        var e = Assert.ThrowsAsync<IpcRemoteException>(async () => await pool.ApplyAsync(PoolTargets.ThrowIfNegative, -1));
        Assert.That(e!.RemoteMessage, Is.EqualTo("negative: -1"));
        Assert.That(await pool.ApplyAsync(PoolTargets.ThrowIfNegative, 4), Is.EqualTo(4));
    }

    [Test]
    public async Task ApplyAsync_TokenPassedPositionally_IsTheCancellationToken_NotAnArgument()
    {
        var pool = NewPool(1);
        using var cts = new CancellationTokenSource();
        // Square takes one int: this compiles and runs only if the token binds to cancellationToken.
        Assert.That(await pool.ApplyAsync(PoolTargets.Square, 3, cts.Token).AsTask().WaitAsync(ChildTimeout), Is.EqualTo(9));
        Assert.That(pool.Apply(PoolTargets.Add, 4, 5, cts.Token), Is.EqualTo(9));

        // ...and cancelling it cancels the task.
        var busy = pool.ApplyAsync(PoolTargets.SleepThenReturn, 1000);
        var queued = pool.ApplyAsync(PoolTargets.Square, 4, cts.Token);
        cts.Cancel();
        Assert.ThrowsAsync<TaskCanceledException>(async () => await queued);
        Assert.That(busy.Get(ChildTimeout), Is.EqualTo(1000));
    }

    [Test]
    public async Task MapAsync_StarMapAsync_AwaitResults()
    {
        var pool = NewPool();
        Assert.That(await pool.MapAsync(PoolTargets.Square, Enumerable.Range(0, 30)).WaitAsync(ChildTimeout),
            Is.EqualTo(Enumerable.Range(0, 30).Select(x => x * x)));
        Assert.That(await pool.StarMapAsync(PoolTargets.Add, [(1, 2), (3, 4), (5, 6)]).WaitAsync(ChildTimeout), Is.EqualTo(new[] { 3, 7, 11 }));
        Assert.That(pool.StarMap(PoolTargets.Describe, [("x", 1)], timeout: ChildTimeout), Is.EqualTo(new[] { "x:1" }));
    }

    [Test]
    public async Task ImapAsync_YieldsInOrder_FirstBeforeSlowOnesFinish()
    {
        var pool = NewPool();
        pool.Map(PoolTargets.Square, [1, 2], timeout: ChildTimeout); // workers up
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var got = new List<(int Value, long Ms)>();
        await foreach (int v in pool.ImapAsync(PoolTargets.SleepThenReturn, [0, 10, 1500, 1600], timeout: ChildTimeout))
            got.Add((v, sw.ElapsedMilliseconds));
        Assert.That(got.Select(g => g.Value), Is.EqualTo(new[] { 0, 10, 1500, 1600 }));
        Assert.That(got[0].Ms, Is.LessThan(1000), "the first result should not wait for the slow items");
    }

    [Test]
    public async Task ImapUnorderedAsync_YieldsEveryResult_FastOnesFirst()
    {
        var pool = NewPool();
        var got = new List<int>();
        await foreach (int v in pool.ImapUnorderedAsync(PoolTargets.SleepThenReturn, [SlowTaskMs, 0, 1, 2], timeout: ChildTimeout))
            got.Add(v);
        Assert.That(got, Is.EquivalentTo(new[] { SlowTaskMs, 0, 1, 2 }));
        Assert.That(got[^1], Is.EqualTo(SlowTaskMs));
    }

    [Test]
    public void ImapAsync_ShortTimeout_ThrowsTimeoutException()
    {
        var pool = NewPool(1);
        Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (int _ in pool.ImapAsync(PoolTargets.SleepThenReturn, [1000], timeout: TimeSpan.FromMilliseconds(50))) { }
        });
    }

    [Test]
    public void AutoChunkSize_IsPythons()
    {
        var pool = NewPool(2);
        // chunksize, extra = divmod(n, 2 * 4); if extra: chunksize += 1
        Assert.That(pool.AutoChunkSize(100), Is.EqualTo(13));
        Assert.That(pool.AutoChunkSize(8), Is.EqualTo(1));
        Assert.That(pool.AutoChunkSize(9), Is.EqualTo(2));
        Assert.That(pool.AutoChunkSize(800), Is.EqualTo(100));
        Assert.That(pool.AutoChunkSize(0), Is.EqualTo(1));
    }

    [Test]
    public async Task MapWithoutChunkSize_SendsAutoSizedChunks_ProgressCountsItemsDone()
    {
        var pool = NewPool(2);
        var progress = new Recorder();
        var r = pool.Map(PoolTargets.Square, Enumerable.Range(0, 100), progress: progress, timeout: ChildTimeout);
        Assert.That(r, Is.EqualTo(Enumerable.Range(0, 100).Select(x => x * x)));
        var reports = progress.Reports.ToArray();
        // 100 items in chunks of 13: 8 chunks, reported as each is done.
        Assert.That(reports, Has.Length.EqualTo(8));
        Assert.That(reports, Is.Ordered);
        Assert.That(reports[^1], Is.EqualTo(100));
        Assert.That(reports.Zip(reports.Prepend(0), (a, b) => a - b), Is.All.EqualTo(13).Or.EqualTo(100 - 7 * 13));

        var asyncProgress = new Recorder();
        await pool.MapAsync(PoolTargets.Square, Enumerable.Range(0, 10), chunkSize: 1, progress: asyncProgress).WaitAsync(ChildTimeout);
        Assert.That(asyncProgress.Reports.Order(), Is.EqualTo(Enumerable.Range(1, 10)));
    }

    [Test]
    public void ApplyAsyncCallbacks_RunOnPoolThreadBeforeResult_ThrowingCallbackDoesNotHurtThePool()
    {
        var pool = NewPool(1);
        int seen = 0, callerThread = Environment.CurrentManagedThreadId, callbackThread = 0;
        var ok = pool.ApplyAsync(PoolTargets.Square, 6, callback: v => { seen = v; callbackThread = Environment.CurrentManagedThreadId; });
        Assert.That(ok.Get(ChildTimeout), Is.EqualTo(36));
        Assert.That(seen, Is.EqualTo(36), "the callback runs before the result is set, as in Python");
        Assert.That(callbackThread, Is.Not.EqualTo(callerThread));

        Exception? failure = null;
        var bad = pool.ApplyAsync(PoolTargets.ThrowIfNegative, -2, errorCallback: e => failure = e);
        Assert.Throws<IpcRemoteException>(() => bad.Get(ChildTimeout));
        Assert.That(failure, Is.InstanceOf<IpcRemoteException>());

        var throwing = pool.ApplyAsync(PoolTargets.Square, 2, callback: _ => throw new InvalidOperationException("callback bug"));
        Assert.That(throwing.Get(ChildTimeout), Is.EqualTo(4));
        Assert.That(pool.Apply(PoolTargets.Square, 5), Is.EqualTo(25), "the pool survives a throwing callback");
    }

    [Test]
    public async Task MapAsyncCallbacks_GetTheWholeResultOrTheFirstFailure()
    {
        var pool = NewPool();
        int[]? all = null;
        var r = await pool.MapAsync(PoolTargets.Square, [1, 2, 3], callback: v => all = v).WaitAsync(ChildTimeout);
        Assert.That(all, Is.SameAs(r));

        var failures = new ConcurrentQueue<Exception>();
        var t = pool.StarMapAsync(PoolTargets.Add, [(1, 1)], callback: _ => { }, errorCallback: failures.Enqueue);
        Assert.That(await t.WaitAsync(ChildTimeout), Is.EqualTo(new[] { 2 }));
        var failing = pool.MapAsync(PoolTargets.ThrowIfNegative, [-1, -2, 3], chunkSize: 1, errorCallback: failures.Enqueue);
        Assert.ThrowsAsync<IpcRemoteException>(async () => await failing.WaitAsync(ChildTimeout));
        Assert.That(failures, Has.Count.EqualTo(1), "the error callback runs once, with the first failure");
    }

    [Test]
    public async Task ManyAwaitedResults_HoldNoThreads()
    {
        var pool = NewPool(2);
        pool.Map(PoolTargets.Square, [1, 2], timeout: ChildTimeout);
        int before = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        var waiting = Enumerable.Range(0, 300).Select(async i => await pool.ApplyAsync(PoolTargets.SleepThenReturn, i % 3)).ToArray();
        int during = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        var all = await Task.WhenAll(waiting).WaitAsync(ChildTimeout);
        Assert.That(all, Is.EqualTo(Enumerable.Range(0, 300).Select(i => i % 3)));
        // 300 pending awaits: no thread each (the collector completes them); allow runtime noise.
        Assert.That(during - before, Is.LessThan(20), $"threads went from {before} to {during}");
    }

    [Test]
    public async Task JoinAsync_AndJoinWithToken()
    {
        var pool = NewPool(1);
        var slow = pool.ApplyAsync(PoolTargets.SleepThenReturn, 500);
        pool.Close();
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
            Assert.Throws<OperationCanceledException>(() => pool.Join(null, cts.Token));
        await pool.JoinAsync().WaitAsync(ChildTimeout);
        Assert.That(slow.Ready, Is.True);
        Assert.That(pool.Join(TimeSpan.Zero), Is.True);
    }
}
