using NUnit.Framework;

namespace NativeIpc.Tests.Pool;

/// <summary>Callers blocked in Apply or AsyncResult.Get read the result queue themselves (one reader at a time),
/// alongside the collector thread, which keeps serving callbacks, awaits and callers that do not wait.</summary>
[TestFixture]
public class ProcessPoolReaderTests : ChildProcessFixture
{
    private const string CollectorThreadName = "ProcessPool result collector";
    private ProcessPool? _pool;

    private ProcessPool NewPool(int n = 2) => _pool = new ProcessPool(n);

    [TearDown]
    public void DisposePool()
    {
        _pool?.Dispose();
        _pool = null;
    }

    /// <summary>Runs <paramref name="action"/> on its own thread and fails if it does not finish in time.</summary>
    private static void Within(TimeSpan timeout, Action action, string what)
    {
        var run = Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.That(run.Wait(timeout), Is.True, what);
    }

    [Test]
    public void Apply_WhileACallbackBlocksTheCollector_StillGetsItsResult_CallbackOnCollectorThread()
    {
        var pool = NewPool();
        Assert.That(pool.Apply(PoolTargets.Square, 1), Is.EqualTo(1)); // workers up
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        string? callbackThread = null;
        var blocked = pool.ApplyAsync(PoolTargets.Square, 2, callback: _ =>
        {
            callbackThread = Thread.CurrentThread.Name;
            entered.Set();
            release.Wait(ChildTimeout);
        });
        try
        {
            Assert.That(entered.Wait(ChildTimeout), Is.True, "the callback never ran");
            // The collector is stuck in a user callback: callers that wait read their results themselves.
            Within(TimeSpan.FromSeconds(10), () =>
            {
                for (int i = 0; i < 20; i++) Assert.That(pool.Apply(PoolTargets.Square, i), Is.EqualTo(i * i));
                Assert.That(pool.ApplyAsync(PoolTargets.Add, 2, 3).Get(ChildTimeout), Is.EqualTo(5));
            }, "Apply waited for the collector's callback");
            Assert.That(blocked.Ready, Is.False, "its callback has not returned: the result is set after it");
        }
        finally { release.Set(); }
        Assert.That(blocked.Get(ChildTimeout), Is.EqualTo(4));
        Assert.That(callbackThread, Is.EqualTo(CollectorThreadName));
    }

    [Test]
    public void CallbacksOfResultsACallerRead_RunOnCollectorThread_AwaitsAndCallbacksAllComplete()
    {
        var pool = NewPool();
        var threads = new System.Collections.Concurrent.ConcurrentBag<string?>();
        var seen = new System.Collections.Concurrent.ConcurrentBag<int>();
        var withCallbacks = Enumerable.Range(0, 100)
            .Select(i => pool.ApplyAsync(PoolTargets.Square, i, callback: r => { threads.Add(Thread.CurrentThread.Name); seen.Add(r); }))
            .ToList();
        var awaited = Enumerable.Range(0, 100).Select(i => pool.ApplyAsync(PoolTargets.Add, i, 1).AsTask()).ToList();
        // Meanwhile this thread waits in Get, reading whatever comes first.
        Within(ChildTimeout, () =>
        {
            for (int i = 0; i < 100; i++) Assert.That(pool.ApplyAsync(PoolTargets.Square, i).Get(ChildTimeout), Is.EqualTo(i * i));
        }, "the reading caller");
        foreach (var r in withCallbacks) Assert.That(r.Wait(ChildTimeout), Is.True);
        Assert.That(Task.WaitAll([.. awaited], ChildTimeout), Is.True);
        Assert.That(awaited.Select(t => t.Result), Is.EqualTo(Enumerable.Range(1, 100)));
        Assert.That(seen.Order(), Is.EqualTo(Enumerable.Range(0, 100).Select(i => i * i)));
        Assert.That(threads.Distinct(), Is.EqualTo(new[] { CollectorThreadName }));
    }

    [Test]
    public void ManyConcurrentCallers_EachGetsItsOwnResult()
    {
        var pool = NewPool();
        const int callers = 8, calls = 150;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = Enumerable.Range(0, callers).Select(c => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < calls; i++)
                {
                    int x = c * 1000 + i;
                    // Apply, Get with a limit, Wait then Get, and an await now and then: every way of waiting.
                    int r = (i % 4) switch
                    {
                        0 => pool.Apply(PoolTargets.Add, x, 1) - 1,
                        1 => pool.ApplyAsync(PoolTargets.Add, x, 1).Get(ChildTimeout) - 1,
                        2 => WaitThenGet(pool.ApplyAsync(PoolTargets.Add, x, 1)) - 1,
                        _ => pool.ApplyAsync(PoolTargets.Add, x, 1).AsTask().WaitAsync(ChildTimeout).GetAwaiter().GetResult() - 1,
                    };
                    if (r != x) failures.Enqueue($"caller {c} call {i}: got {r}, expected {x}");
                }
            }
            catch (Exception e) { failures.Enqueue($"caller {c}: {e}"); }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        foreach (var t in threads) Assert.That(t.Join(TimeSpan.FromSeconds(60)), Is.True, "a caller hung");
        Assert.That(failures, Is.Empty);
        Assert.That(pool.Map(PoolTargets.Square, Enumerable.Range(0, 50), timeout: ChildTimeout), Is.EqualTo(Enumerable.Range(0, 50).Select(i => i * i)));
    }

    private static int WaitThenGet(AsyncResult<int> r)
    {
        Assert.That(r.Wait(ChildTimeout), Is.True);
        return r.Get(TimeSpan.Zero);
    }

    [Test]
    public void WorkerKilledWhileACallerReads_ThatCallerGetsWorkerLost_OtherCallersCarryOn()
    {
        var pool = NewPool();
        string file = TestPaths.TempFile();
        try
        {
            var doomed = pool.ApplyAsync(PoolTargets.WritePidThenSleep, file, 60_000);
            Assert.That(Eventually(() => File.Exists(file), ChildTimeout), Is.True, "the task never started");
            int victim = int.Parse(File.ReadAllText(file), System.Globalization.CultureInfo.InvariantCulture);
            using var stop = new CancellationTokenSource();
            int served = 0;
            // Another caller keeps reading results through the death and the replacement.
            var other = Task.Factory.StartNew(() =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    Assert.That(pool.Apply(PoolTargets.Square, i % 100), Is.EqualTo(i % 100 * (i % 100)));
                    Interlocked.Increment(ref served);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            IpcWorkerLostException? lost = null;
            var reader = Task.Factory.StartNew(() => lost = Assert.Throws<IpcWorkerLostException>(() => doomed.Get(ChildTimeout)),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Assert.That(Eventually(() => Volatile.Read(ref served) > 10, ChildTimeout), Is.True, "the other caller is not served");

            System.Diagnostics.Process.GetProcessById(victim).Kill();

            Assert.That(reader.Wait(ChildTimeout), Is.True, "the reading caller never learned of the death");
            Assert.That(lost!.Pid, Is.EqualTo(victim));
            Assert.That(lost.ExitCode, Is.EqualTo(ExternallyKilledExitCode));
            int before = Volatile.Read(ref served);
            Assert.That(Eventually(() => Volatile.Read(ref served) > before + 10, ChildTimeout), Is.True, "the other caller stopped being served");
            stop.Cancel();
            Assert.That(other.Wait(ChildTimeout), Is.True);
            Assert.That(Eventually(() => pool.Pids.Count == 2 && !pool.Pids.Contains(victim), ChildTimeout), Is.True);
        }
        finally { File.Delete(file); }
    }

    [Test]
    public void GetTimesOut_ThenTheCollectorDeliversTheResultToAnAwait()
    {
        var pool = NewPool();
        var r = pool.ApplyAsync(PoolTargets.SleepThenReturn, 300);
        Assert.Throws<TimeoutException>(() => r.Get(TimeSpan.FromMilliseconds(20)));
        // No caller reads any more: the collector takes over and completes the task.
        Assert.That(r.AsTask().Wait(ChildTimeout), Is.True);
        Assert.That(r.Get(TimeSpan.Zero), Is.EqualTo(300));
    }

    [Test]
    public void ApplyCancelledWhileItsCallerReads_ThrowsOperationCanceled_Promptly()
    {
        var pool = NewPool(1);
        var busy = pool.ApplyAsync(PoolTargets.SleepThenReturn, 2000); // holds the only worker
        using var cts = new CancellationTokenSource();
        OperationCanceledException? caught = null;
        var caller = Task.Factory.StartNew(() => caught = Assert.Catch<OperationCanceledException>(() => pool.Apply(PoolTargets.Square, 5, cts.Token)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Thread.Sleep(100); // the caller is reading (asleep on the result queue)
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        cts.Cancel();
        Assert.That(caller.Wait(ChildTimeout), Is.True);
        Assert.That(caught, Is.Not.Null);
        Assert.That(System.Diagnostics.Stopwatch.GetElapsedTime(t0), Is.LessThan(TimeSpan.FromMilliseconds(1500)), "woken by the cancellation, not by the busy task's end");
        Assert.That(busy.Get(ChildTimeout), Is.EqualTo(2000));
    }

    [Test]
    public void DisposeWhileACallerReads_CallerFailsWithTermination()
    {
        var pool = NewPool(1);
        var slow = pool.ApplyAsync(PoolTargets.SleepThenReturn, 60_000);
        Exception? caught = null;
        var caller = Task.Factory.StartNew(() => caught = Assert.Catch(() => slow.Get(ChildTimeout)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Thread.Sleep(100);
        pool.Dispose();
        Assert.That(caller.Wait(ChildTimeout), Is.True);
        Assert.That(caught, Is.InstanceOf<InvalidOperationException>());
    }
}
