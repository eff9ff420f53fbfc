using System.Diagnostics;
using NUnit.Framework;
using T = NativeIpc.Tests.Parity.PoolTargets;

namespace NativeIpc.Tests.Parity;

/// <summary>Ported from CPython's <c>_TestPool</c>, <c>_TestPoolWorkerErrors</c> and <c>_TestPoolWorkerLifetime</c>.</summary>
[TestFixture]
public class PoolParityTests : ParityFixture
{
    private static ProcessPool s_pool = null!;

    [OneTimeSetUp]
    public void SetUpClass() => s_pool = Multiprocessing.Pool(4);

    [OneTimeTearDown]
    public void TearDownClass()
    {
        s_pool.Terminate();
        s_pool.Join(ShortTimeout);
        s_pool.Dispose();
    }

    private static readonly int[] Range10 = [.. Enumerable.Range(0, 10)];
    private static int[] Squares(int n) => [.. Enumerable.Range(0, n).Select(T.Sqr)];

    [Test, Description("Python: _TestPool.test_apply. Difference: no kwargs (papply(sqr, (), {'x': 3}) is Apply(Sqr, 3)).")]
    public void TestPool_Apply()
    {
        Assert.That(s_pool.Apply(T.Sqr, 5), Is.EqualTo(T.Sqr(5)));
        Assert.That(s_pool.Apply(T.Sqr, 3), Is.EqualTo(T.Sqr(3)));
    }

    [Test, Description("Python: _TestPool.test_map.")]
    public void TestPool_Map()
    {
        Assert.That(s_pool.Map(T.Sqr, Range10), Is.EqualTo(Squares(10)));
        Assert.That(s_pool.Map(T.Sqr, Enumerable.Range(0, 100), chunkSize: 20), Is.EqualTo(Squares(100)));
    }

    [Test, Description("Python: _TestPool.test_starmap.")]
    public void TestPool_Starmap()
    {
        var tuples = Enumerable.Range(0, 10).Zip(Enumerable.Range(0, 10).Reverse()).ToList();
        Assert.That(s_pool.StarMap(T.Mul, tuples), Is.EqualTo(tuples.Select(t => T.Mul(t.First, t.Second))));
        tuples = [.. Enumerable.Range(0, 100).Zip(Enumerable.Range(0, 100).Reverse())];
        Assert.That(s_pool.StarMap(T.Mul, tuples, chunkSize: 20), Is.EqualTo(tuples.Select(t => T.Mul(t.First, t.Second))));
    }

    [Test, Description("Python: _TestPool.test_starmap_async.")]
    public void TestPool_StarmapAsync()
    {
        var tuples = Enumerable.Range(0, 100).Zip(Enumerable.Range(0, 100).Reverse()).ToList();
        Assert.That(s_pool.StarMapAsync(T.Mul, tuples).Wait(ShortTimeout), Is.True);
        Assert.That(s_pool.StarMapAsync(T.Mul, tuples).Result, Is.EqualTo(tuples.Select(t => T.Mul(t.First, t.Second))));
    }

    [Test, Description("Python: _TestPool.test_map_async.")]
    public void TestPool_MapAsync()
    {
        var r = s_pool.MapAsync(T.Sqr, Range10);
        Assert.That(r.Wait(ShortTimeout), Is.True);
        Assert.That(r.Result, Is.EqualTo(Squares(10)));
    }

    [Test, Description("Python: _TestPool.test_map_async_callbacks. Difference: the error is an IpcRemoteException naming the worker's exception type (Python re-raises the ValueError itself).")]
    public void TestPool_MapAsyncCallbacks()
    {
        var callArgs = new List<object>();
        var t = s_pool.MapAsync(T.ParseInt, ["1"], callback: r => { lock (callArgs) callArgs.Add(r); }, errorCallback: e => { lock (callArgs) callArgs.Add(e); });
        try { t.Wait(ShortTimeout); } catch (AggregateException) { }
        Assert.That(callArgs.Count, Is.EqualTo(1));
        Assert.That(callArgs[0], Is.EqualTo(new[] { 1 }));
        t = s_pool.MapAsync(T.ParseInt, ["a"], callback: r => { lock (callArgs) callArgs.Add(r); }, errorCallback: e => { lock (callArgs) callArgs.Add(e); });
        try { t.Wait(ShortTimeout); } catch (AggregateException) { }
        Assert.That(callArgs.Count, Is.EqualTo(2));
        Assert.That(callArgs[1], Is.InstanceOf<IpcRemoteException>());
        Assert.That(((IpcRemoteException)callArgs[1]).RemoteType, Does.Contain(nameof(FormatException)));
    }

    [Test, Description("Python: _TestPool.test_map_unplicklable: an argument that cannot be serialized fails the call (IpcSerializationException; Python: the pickling RuntimeError) and does not hang.")]
    public void TestPool_MapUnplicklable()
    {
        var items = Enumerable.Repeat(new Probe { Explode = true }, 10);
        Assert.Throws<IpcSerializationException>(() => s_pool.Map(T.Unpicklable, items));
    }

    [Test, Description("Python: _TestPool.test_map_chunksize: an empty map with a chunk size does not stall.")]
    public void TestPool_MapChunksize()
    {
        var r = s_pool.MapAsync(T.Sqr, Array.Empty<int>(), chunkSize: 1);
        Assert.That(r.Wait(Timeout1), Is.True, "pool.map_async with chunksize stalled on null list");
    }

    [Test, Description("Python: _TestPool.test_map_handle_iterable_exception: the iterable's exception reaches the caller, unwrapped.")]
    public void TestPool_MapHandleIterableException()
    {
        Assert.Throws<SayWhenException>(() => s_pool.Map(T.Sqr, T.ExceptionThrowingGenerator(1, -1), 1));
        Assert.Throws<SayWhenException>(() => s_pool.Map(T.Sqr, T.ExceptionThrowingGenerator(1, -1), 1)); // again: reentrant
        Assert.Throws<SayWhenException>(() => s_pool.Map(T.Sqr, T.ExceptionThrowingGenerator(10, 3), 1));
        Assert.Throws<SayWhenException>(() => s_pool.Map(T.Sqr, new T.SpecialIterable(), 1));
        Assert.Throws<SayWhenException>(() => s_pool.Map(T.Sqr, new T.SpecialIterable(), 1));
    }

    [Test, Description("Python: _TestPool.test_async.")]
    public void TestPool_Async()
    {
        var res = s_pool.ApplyAsync(T.SqrWait, 7, (int)Timeout1.TotalMilliseconds);
        var sw = Stopwatch.StartNew();
        Assert.That(res.Get(ShortTimeout), Is.EqualTo(49));
        AssertTimingAlmostEqual(sw.Elapsed, Timeout1 - TimeSpan.FromMilliseconds(100)); // the task started before the clock
    }

    [Test, Description("Python: _TestPool.test_async_timeout (multiprocessing.TimeoutError is TimeoutException).")]
    public void TestPool_AsyncTimeout()
    {
        using var p = Multiprocessing.Pool(3);
        try
        {
            var res = p.ApplyAsync(T.SqrWait, 6, (int)(Timeout2 + ShortTimeout).TotalMilliseconds);
            var elapsed = Timed(() => Assert.Throws<TimeoutException>(() => res.Get(Timeout2)));
            AssertTimingAlmostEqual(elapsed, Timeout2);
        }
        finally
        {
            p.Terminate();
            p.Join(ShortTimeout);
        }
    }

    [Test, Description("Python: _TestPool.test_imap.")]
    public void TestPool_Imap()
    {
        Assert.That(s_pool.Imap(T.Sqr, Range10).ToList(), Is.EqualTo(Squares(10)));

        using (var it = s_pool.Imap(T.Sqr, Range10).GetEnumerator())
        {
            for (int i = 0; i < 10; i++)
            {
                Assert.That(it.MoveNext(), Is.True);
                Assert.That(it.Current, Is.EqualTo(i * i));
            }
            Assert.That(it.MoveNext(), Is.False); // StopIteration
        }

        using (var it = s_pool.Imap(T.Sqr, Enumerable.Range(0, 1000), chunkSize: 100).GetEnumerator())
        {
            for (int i = 0; i < 1000; i++)
            {
                Assert.That(it.MoveNext(), Is.True);
                Assert.That(it.Current, Is.EqualTo(i * i));
            }
            Assert.That(it.MoveNext(), Is.False);
        }
    }

    [Test, Description("Python: _TestPool.test_imap_handle_iterable_exception. Difference: Imap reads its inputs at once, so the iterable's exception comes from the Imap call, before any result (Python yields the results before the failure first).")]
    public void TestPool_ImapHandleIterableException()
    {
        Assert.Throws<SayWhenException>(() => s_pool.Imap(T.Sqr, T.ExceptionThrowingGenerator(1, -1), 1));
        Assert.Throws<SayWhenException>(() => s_pool.Imap(T.Sqr, T.ExceptionThrowingGenerator(1, -1), 1));
        Assert.Throws<SayWhenException>(() => s_pool.Imap(T.Sqr, T.ExceptionThrowingGenerator(10, 3), 1));
        Assert.Throws<SayWhenException>(() => s_pool.Imap(T.Sqr, T.ExceptionThrowingGenerator(20, 7), 2));
        Assert.Throws<SayWhenException>(() => s_pool.Imap(T.Sqr, T.ExceptionThrowingGenerator(20, 7), 4));
    }

    [Test, Description("Python: _TestPool.test_imap_unordered.")]
    public void TestPool_ImapUnordered()
    {
        Assert.That(s_pool.ImapUnordered(T.Sqr, Range10).Order(), Is.EqualTo(Squares(10)));
        Assert.That(s_pool.ImapUnordered(T.Sqr, Enumerable.Range(0, 1000), chunkSize: 100).Order(), Is.EqualTo(Squares(1000)));
    }

    [Test, Description("Python: _TestPool.test_imap_unordered_handle_iterable_exception. Difference: as for Imap, the exception comes from the call (the inputs are read at once).")]
    public void TestPool_ImapUnorderedHandleIterableException()
    {
        Assert.Throws<SayWhenException>(() => s_pool.ImapUnordered(T.Sqr, T.ExceptionThrowingGenerator(1, -1), 1));
        Assert.Throws<SayWhenException>(() => s_pool.ImapUnordered(T.Sqr, T.ExceptionThrowingGenerator(1, -1), 1));
        Assert.Throws<SayWhenException>(() => s_pool.ImapUnordered(T.Sqr, T.ExceptionThrowingGenerator(10, 3), 1));
        Assert.Throws<SayWhenException>(() => s_pool.ImapUnordered(T.Sqr, T.ExceptionThrowingGenerator(20, 7), 2));
    }

    [Test, Description("Python: _TestPool.test_make_pool (ValueError is ArgumentOutOfRangeException; len(p._pool) is Size).")]
    public void TestPool_MakePool()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Multiprocessing.Pool(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Multiprocessing.Pool(0));
        using var p = Multiprocessing.Pool(3);
        try
        {
            Assert.That(p.Size, Is.EqualTo(3));
        }
        finally
        {
            p.Close();
            Assert.That(p.Join(ShortTimeout), Is.True);
        }
    }

    [Test, Description("Python: _TestPool.test_terminate: terminate() with 10,000 long tasks queued returns promptly.")]
    public void TestPool_Terminate()
    {
        using var p = Multiprocessing.Pool(3);
        var result = p.MapAsync(T.SleepMs, Enumerable.Repeat(300_000, 10_000), chunkSize: 1);
        Thread.Sleep(200); // give some tasks a chance to start
        var elapsed = Timed(() =>
        {
            p.Terminate();
            Assert.That(p.Join(ShortTimeout), Is.True);
        });
        Assert.That(elapsed, Is.LessThan(ShortTimeout));
        Assert.That(() => result.Wait(ShortTimeout), Throws.InstanceOf<AggregateException>()); // the unfinished tasks fail
    }

    [Test, Description("Python: _TestPool.test_empty_iterable.")]
    public void TestPool_EmptyIterable()
    {
        using var p = Multiprocessing.Pool(1);
        Assert.That(p.Map(T.Sqr, Array.Empty<int>()), Is.Empty);
        Assert.That(p.Imap(T.Sqr, Array.Empty<int>()).ToList(), Is.Empty);
        Assert.That(p.ImapUnordered(T.Sqr, Array.Empty<int>()).ToList(), Is.Empty);
        Assert.That(p.MapAsync(T.Sqr, Array.Empty<int>()).Result, Is.Empty);
        p.Close();
        Assert.That(p.Join(ShortTimeout), Is.True);
    }

    [Test, Description("Python: _TestPool.test_context (pins: using + Join after Dispose, and a disposed-object message that names the pool, not System.String). Difference: work submitted after Dispose throws ObjectDisposedException (Python: ValueError).")]
    public void TestPool_Context()
    {
        var L = Range10;
        var expected = Squares(10);
        ProcessPool p;
        using (p = Multiprocessing.Pool(2))
        {
            var r = p.MapAsync(T.Sqr, L);
            Assert.That(r.Result, Is.EqualTo(expected));
        }
        Assert.That(p.Join(ShortTimeout), Is.True);
        var e = Assert.Throws<ObjectDisposedException>(() => p.MapAsync(T.Sqr, L))!;
        Assert.That(e.ObjectName, Does.Not.Contain("System.String"));
        Assert.That(e.ObjectName, Does.Contain(nameof(ProcessPool)));
    }

    [Test, Description("Python: _TestPool.test_traceback. Difference: a worker's exception arrives as IpcRemoteException with the remote type, message and stack trace (Python re-raises the RuntimeError with a RemoteTraceback cause); an exception of the input iterable is not wrapped, in both.")]
    public void TestPool_Traceback()
    {
        using (var p = Multiprocessing.Pool(1))
        {
            var exc = Assert.Throws<IpcRemoteException>(() => p.Apply(T.RaiseRuntimeError123))!;
            Assert.That(exc.RemoteType, Does.Contain(nameof(InvalidOperationException)));   // type(exc) is RuntimeError
            Assert.That(exc.RemoteMessage, Is.EqualTo("123"));                                  // exc.args == (123,)
            Assert.That(exc.RemoteStackTrace, Does.Contain(nameof(T.RaiseRuntimeError123)));    // 'raise RuntimeError(123) # some comment' in cause.tb
            Assert.That(exc.ToString(), Does.Contain(nameof(T.RaiseRuntimeError123)));          // printed by the excepthook
        }
        using (var p = Multiprocessing.Pool(1))
        {
            var exc = Assert.Throws<SayWhenException>(() => p.Map(T.Sqr, T.ExceptionThrowingGenerator(1, -1), 1))!;
            Assert.That(exc.InnerException, Is.Null); // exc.__cause__ is None
        }
    }

    [Test, Description("Python: _TestPool.test_wrapped_exception. Difference: IpcRemoteException naming the RuntimeError's equivalent (Python: the RuntimeError).")]
    public void TestPool_WrappedException()
    {
        using var p = Multiprocessing.Pool(1);
        var exc = Assert.Throws<IpcRemoteException>(() => p.Apply(T.RaiseRuntimeErrorFoo))!;
        Assert.That(exc.RemoteType, Does.Contain(nameof(InvalidOperationException)));
        Assert.That(exc.RemoteMessage, Is.EqualTo("foo"));
    }

    [Test, Description("Python: _TestPool.test_map_no_failfast: a failed map with a 1 MiB error does not deadlock the pool's join.")]
    public void TestPool_MapNoFailfast()
    {
        var sw = Stopwatch.StartNew();
        using (var p = Multiprocessing.Pool(2))
        {
            try
            {
                var exc = Assert.Throws<IpcRemoteException>(() => p.Map(T.RaiseLargeValueError, [0, 1]))!; // ValueError
                Assert.That(exc.RemoteType, Does.Contain(nameof(ArgumentException)));
            }
            finally
            {
                Thread.Sleep(500);
                p.Close();
                Assert.That(p.Join(ShortTimeout), Is.True);
            }
        }
        // check that we indeed waited for all jobs
        Assert.That(sw.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(0.9)));
    }

    [Test, Description("Python: _TestPool.test_release_task_refs: the pool keeps no reference to a map's arguments once it returned (the instance count of Python's CountedObject has no equivalent: results are fresh copies).")]
    public void TestPool_ReleaseTaskRefs()
    {
        var refs = MapAndForget();
        Thread.Sleep(Delta);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.That(refs.Select(r => r.IsAlive), Is.All.False);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<WeakReference> MapAndForget()
    {
        var objs = Enumerable.Range(0, 10).Select(i => new CountedObject { Id = i }).ToList();
        var refs = objs.Select(o => new WeakReference(o)).ToList();
        var back = s_pool.Map(T.Identity, objs);
        Assert.That(back.Select(o => o.Id), Is.EqualTo(Range10));
        return refs;
    }

    [Test, Description("Python: _TestPool.test_enter. Difference: a pool used again after its using block throws ObjectDisposedException on submit (Python raises ValueError on re-entering 'with pool:'); Join after it returns at once.")]
    public void TestPool_Enter()
    {
        var pool = Multiprocessing.Pool(1);
        using (pool) { }
        Assert.Throws<ObjectDisposedException>(() => pool.ApplyAsync(T.Sqr, 1));
        Assert.That(pool.Join(ShortTimeout), Is.True);
    }

    [Test, Description("Python: _TestPoolWorkerErrors.test_async_error_callback. Difference: KeyError arrives as IpcRemoteException naming KeyNotFoundException, in Get and in the error callback alike.")]
    public void TestPoolWorkerErrors_AsyncErrorCallback()
    {
        using var p = Multiprocessing.Pool(2);
        Exception? scratchpad = null;
        var res = p.ApplyAsync(T.Raising, errorCallback: e => scratchpad = e);
        var exc = Assert.Throws<IpcRemoteException>(() => res.Get(ShortTimeout))!;
        Assert.That(exc.RemoteType, Does.Contain(nameof(KeyNotFoundException)));
        Assert.That(scratchpad, Is.Not.Null);
        Assert.That(scratchpad, Is.InstanceOf<IpcRemoteException>());
        p.Close();
        Assert.That(p.Join(ShortTimeout), Is.True);
    }

    [Test, Description("Python: _TestPoolWorkerErrors.test_unpickleable_result: a result that cannot be sent back fails that task (Python: MaybeEncodingError; here IpcRemoteException naming IpcSerializationException) and the pool keeps its workers.")]
    public void TestPoolWorkerErrors_UnpickleableResult()
    {
        using var p = Multiprocessing.Pool(2);
        for (int iteration = 0; iteration < 20; iteration++)
        {
            Exception? scratchpad = null;
            var res = p.ApplyAsync(T.UnpickleableResult, errorCallback: e => scratchpad = e);
            var exc = Assert.Throws<IpcRemoteException>(() => res.Get(ShortTimeout))!;
            Assert.That(exc.RemoteType, Does.Contain(nameof(IpcSerializationException)));
            Assert.That(scratchpad, Is.Not.Null);
            Assert.That(scratchpad, Is.InstanceOf<IpcRemoteException>());
            Assert.That(((IpcRemoteException)scratchpad!).RemoteMessage, Is.Not.Empty);
        }
        Assert.That(p.Apply(T.Sqr, 3), Is.EqualTo(9));
        p.Close();
        Assert.That(p.Join(ShortTimeout), Is.True);
    }

    [Test, Description("Python: _TestPoolWorkerLifetime.test_pool_worker_lifetime (Pids are the live workers' pids; _repopulate_pool has no equivalent: replacements start by themselves).")]
    public void TestPoolWorkerLifetime_PoolWorkerLifetime()
    {
        using var p = new ProcessPool(3, maxTasksPerChild: 10);
        Assert.That(p.Size, Is.EqualTo(3));
        Assert.That(Eventually(() => p.Pids.Count == 3, ShortTimeout), Is.True);
        var origWorkerPids = p.Pids.ToList();
        var results = Enumerable.Range(0, 100).Select(i => p.ApplyAsync(T.Sqr, i)).ToList();
        for (int j = 0; j < results.Count; j++) Assert.That(results[j].Get(ShortTimeout), Is.EqualTo(T.Sqr(j)));
        Assert.That(Eventually(() => p.Pids.Count == 3, ShortTimeout), Is.True);
        var finalWorkerPids = p.Pids.ToList();
        Assert.That(origWorkerPids, Has.Count.EqualTo(3));
        Assert.That(finalWorkerPids, Has.Count.EqualTo(3));
        Assert.That(finalWorkerPids.Order(), Is.Not.EqualTo(origWorkerPids.Order()));
        p.Close();
        Assert.That(p.Join(ShortTimeout), Is.True);
    }

    [Test, Description("Python: _TestPoolWorkerLifetime.test_pool_worker_lifetime_early_close: closing a pool whose workers have short lifetimes does not hang join().")]
    public void TestPoolWorkerLifetime_PoolWorkerLifetimeEarlyClose()
    {
        using var p = new ProcessPool(3, maxTasksPerChild: 1);
        var results = Enumerable.Range(0, 6).Select(i => p.ApplyAsync(T.SqrWait, i, 300)).ToList();
        p.Close();
        Assert.That(p.Join(ShortTimeout), Is.True);
        for (int j = 0; j < results.Count; j++) Assert.That(results[j].Get(ShortTimeout), Is.EqualTo(T.Sqr(j)));
    }

    [Test, Description("Python: _TestPoolWorkerLifetime.test_pool_maxtasksperchild_invalid (0 and -1; 0.5 and \"12\" cannot compile).")]
    public void TestPoolWorkerLifetime_PoolMaxtasksperchildInvalid()
    {
        foreach (int value in new[] { 0, -1 })
            Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessPool(3, maxTasksPerChild: value));
    }

    [Test, Description("Python: _TestPoolWorkerLifetime.test_worker_finalization_via_atexit_handler_of_multiprocessing: a program that leaves a pool open exits cleanly (here a child process is that program).")]
    public void TestPoolWorkerLifetime_WorkerFinalizationViaAtexitHandlerOfMultiprocessing()
    {
        var p = Track(IpcProcess.Start(T.PoolWithoutClose));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }
}
