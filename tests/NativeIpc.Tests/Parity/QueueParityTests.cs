using NUnit.Framework;
using T = NativeIpc.Tests.Parity.QueueTargets;

namespace NativeIpc.Tests.Parity;

/// <summary>Ported from CPython's <c>_TestQueue</c> and <c>_TestSimpleQueue</c>.</summary>
[TestFixture]
public class QueueParityTests : ParityFixture
{
    [Test, Description("Python: _TestQueue.test_put. Difference: put(block=False) is PutNowait/TryPut, put(timeout=t) is Put(item, t); Full is IpcQueueFullException.")]
    public void TestQueue_Put()
    {
        const int MAXSIZE = 6;
        using var queue = Multiprocessing.Queue<int>(maxItems: MAXSIZE);
        using var childCanStart = Multiprocessing.Event();
        using var parentCanContinue = Multiprocessing.Event();
        var proc = StartDaemon(T.Put, queue, childCanStart, parentCanContinue);

        Assert.That(queue.IsEmpty, Is.True);
        Assert.That(queue.IsFull, Is.False);

        queue.Put(1);
        queue.Put(2);                       // put(2, True)
        queue.Put(3, null);                 // put(3, True, None)
        Assert.That(queue.TryPut(4));       // put(4, False)
        Assert.That(queue.TryPut(5));       // put(5, False, None)
        queue.PutNowait(6);

        Thread.Sleep(Delta);
        Assert.That(queue.IsEmpty, Is.False);
        Assert.That(queue.IsFull, Is.True);

        var elapsed = Timed(() => Assert.Throws<IpcQueueFullException>(() => queue.PutNowait(7)));   // put(7, False)
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        elapsed = Timed(() => Assert.That(queue.TryPut(7), Is.False));                             // put(7, False, None)
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        elapsed = Timed(() => Assert.Throws<IpcQueueFullException>(() => queue.PutNowait(7)));     // put_nowait(7)
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        elapsed = Timed(() => Assert.Throws<IpcQueueFullException>(() => queue.Put(7, Timeout1))); // put(7, True, TIMEOUT1)
        AssertTimingAlmostEqual(elapsed, Timeout1);
        elapsed = Timed(() => Assert.Throws<IpcQueueFullException>(() => queue.PutNowait(7)));     // put(7, False, TIMEOUT2)
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        elapsed = Timed(() => Assert.Throws<IpcQueueFullException>(() => queue.Put(7, Timeout3))); // put(7, True, timeout=TIMEOUT3)
        AssertTimingAlmostEqual(elapsed, Timeout3);

        childCanStart.Set();
        Assert.That(parentCanContinue.Wait(ShortTimeout));

        Assert.That(queue.IsEmpty, Is.True);
        Assert.That(queue.IsFull, Is.False);
        JoinOk(proc);
    }

    [Test, Description("Python: _TestQueue.test_get. Difference: get(block=False) is GetNowait/TryGet; Empty is IpcQueueEmptyException.")]
    public void TestQueue_Get()
    {
        using var queue = Multiprocessing.Queue<int>();
        using var childCanStart = Multiprocessing.Event();
        using var parentCanContinue = Multiprocessing.Event();
        var proc = StartDaemon(T.Get, queue, childCanStart, parentCanContinue);

        Assert.That(queue.IsEmpty, Is.True);
        childCanStart.Set();
        Assert.That(parentCanContinue.Wait(ShortTimeout));
        Thread.Sleep(Delta);
        Assert.That(queue.IsEmpty, Is.False);

        Assert.That(queue.Get(null), Is.EqualTo(2));                    // get(True, None)
        Assert.That(queue.Get(), Is.EqualTo(3));                        // get(True)
        Assert.That(queue.Get(TimeSpan.FromSeconds(1)), Is.EqualTo(4)); // get(timeout=1)
        Assert.That(queue.GetNowait(), Is.EqualTo(5));
        Assert.That(queue.IsEmpty, Is.True);

        var elapsed = Timed(() => Assert.Throws<IpcQueueEmptyException>(() => queue.GetNowait()));        // get(False)
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        elapsed = Timed(() => Assert.That(queue.TryGet(out _), Is.False));                               // get(False, None)
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        elapsed = Timed(() => Assert.Throws<IpcQueueEmptyException>(() => queue.GetNowait()));           // get_nowait()
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        elapsed = Timed(() => Assert.Throws<IpcQueueEmptyException>(() => queue.Get(Timeout1)));         // get(True, TIMEOUT1)
        AssertTimingAlmostEqual(elapsed, Timeout1);
        elapsed = Timed(() => Assert.Throws<IpcQueueEmptyException>(() => queue.Get(TimeSpan.Zero)));    // get(False, TIMEOUT2)
        AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
        elapsed = Timed(() => Assert.Throws<IpcQueueEmptyException>(() => queue.Get(Timeout3)));         // get(timeout=TIMEOUT3)
        AssertTimingAlmostEqual(elapsed, Timeout3);

        JoinOk(proc);
    }

    [Test, Description("Python: _TestQueue.test_fork: items put before and by a child arrive in order.")]
    public void TestQueue_Fork()
    {
        using var queue = Multiprocessing.Queue<int>();
        for (int i = 0; i < 10; i++) queue.Put(i);
        Thread.Sleep(Delta);
        var p = StartDaemon(T.Fork, queue);
        for (int i = 0; i < 20; i++) Assert.That(queue.Get(ShortTimeout), Is.EqualTo(i));
        Assert.Throws<IpcQueueEmptyException>(() => queue.GetNowait());
        JoinOk(p);
    }

    [Test, Description("Python: _TestQueue.test_qsize.")]
    public void TestQueue_Qsize()
    {
        using var q = Multiprocessing.Queue<int>();
        Assert.That(q.Count, Is.EqualTo(0));
        q.Put(1);
        Assert.That(q.Count, Is.EqualTo(1));
        q.Put(5);
        Assert.That(q.Count, Is.EqualTo(2));
        q.Get();
        Assert.That(q.Count, Is.EqualTo(1));
        q.Get();
        Assert.That(q.Count, Is.EqualTo(0));
    }

    [Test, Description("Python: _TestQueue.test_task_done (the sentinel is -1: a typed queue has no None).")]
    public void TestQueue_TaskDone()
    {
        using var queue = Multiprocessing.JoinableQueue<int>();
        var workers = Enumerable.Range(0, 4).Select(_ => StartDaemon(T.TaskDone, queue)).ToList();
        for (int i = 0; i < 10; i++) queue.Put(i);
        Assert.That(queue.Join(ShortTimeout), Is.True);
        foreach (var _ in workers) queue.Put(-1);
        foreach (var p in workers) JoinOk(p);
    }

    [Test, Description("Python: _TestQueue.test_timeout.")]
    public void TestQueue_Timeout()
    {
        using var q = Multiprocessing.Queue<int>();
        var elapsed = Timed(() => Assert.Throws<IpcQueueEmptyException>(() => q.Get(TimeSpan.FromSeconds(0.2))));
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.1)));
    }

    [Test, Description("Python: _TestQueue.test_queue_feeder_donot_stop_onexc. Difference: an item that cannot be serialized fails its Put at once with IpcSerializationException (Python's feeder thread prints the error later); the queue goes on and its size counts only what was put.")]
    public void TestQueue_QueueFeederDonotStopOnexc()
    {
        using (var q = Multiprocessing.Queue<Probe>())
        {
            Assert.Throws<IpcSerializationException>(() => q.Put(new Probe { Explode = true }));
            q.Put(new Probe());
            Assert.That(q.Get(ShortTimeout).Value, Is.True);
        }
        using (var q = Multiprocessing.Queue<Probe>(maxItems: 1))
        {
            Assert.Throws<IpcSerializationException>(() => q.Put(new Probe { Explode = true }));
            q.Put(new Probe());
            Assert.That(q.Count, Is.EqualTo(1));
            Assert.That(q.Get(ShortTimeout).Value, Is.True);
            Assert.That(q.IsEmpty, Is.True);
        }
    }

    [Test, Description("Python: _TestQueue.test_closed_queue_empty_exceptions. Difference: Close() means 'this process puts no more' (the stream ends when every holder closed), so IsEmpty stays readable after it (Python raises OSError 'is closed' once the feeder was joined).")]
    public void TestQueue_ClosedQueueEmptyExceptions()
    {
        foreach (var q in new IpcQueue<string>[] { Multiprocessing.Queue<string>(), Multiprocessing.JoinableQueue<string>() })
        {
            using (q)
            {
                q.Close();
                Assert.That(q.IsEmpty, Is.True);
            }
        }
        foreach (var q in new IpcQueue<string>[] { Multiprocessing.Queue<string>(), Multiprocessing.JoinableQueue<string>() })
        {
            using (q)
            {
                q.Put("foo");
                q.Close();
                Assert.That(q.IsEmpty, Is.False); // the item is still there for any consumer
            }
        }
    }

    [Test, Description("Python: _TestQueue.test_closed_queue_put_get_exceptions (ValueError 'is closed' is IpcQueueClosedException).")]
    public void TestQueue_ClosedQueuePutGetExceptions()
    {
        foreach (var q in new IpcQueue<string>[] { Multiprocessing.Queue<string>(), Multiprocessing.JoinableQueue<string>() })
        {
            using (q)
            {
                q.Close();
                Assert.That(() => q.Put("foo"), Throws.TypeOf<IpcQueueClosedException>().With.Message.Contains("closed"));
                Assert.That(() => q.Get(), Throws.TypeOf<IpcQueueClosedException>().With.Message.Contains("closed"));
            }
        }
    }

    [Test, Description("Python: _TestQueue.test_shutdown_empty.")]
    public void TestQueue_ShutdownEmpty()
    {
        foreach (var q in new IpcQueue<string>[] { Multiprocessing.Queue<string>(), Multiprocessing.JoinableQueue<string>() })
        {
            using (q)
            {
                IpcProcess? join = q is IpcJoinableQueue<string> jq ? StartDaemon(T.JoinWorker, jq) : null;
                q.Shutdown(immediate: false); // [joinable] unfinished tasks: 0 -> 0
                Thread.Sleep(10);
                Assert.That(q.Count, Is.EqualTo(0));
                if (join is not null)
                {
                    JoinOk(join);
                    Assert.That(join.IsAlive, Is.False);
                }
                Assert.Throws<IpcQueueShutDownException>(() => q.Put("data"));
                Assert.Throws<IpcQueueShutDownException>(() => q.PutNowait("data"));
                Assert.Throws<IpcQueueShutDownException>(() => q.Get());
                Assert.Throws<IpcQueueShutDownException>(() => q.GetNowait());
            }
        }
    }

    [Test, Description("Python: _TestQueue.test_shutdown_nonempty.")]
    public void TestQueue_ShutdownNonempty()
    {
        foreach (var q in new IpcQueue<string>[] { Multiprocessing.Queue<string>(1), Multiprocessing.JoinableQueue<string>(1) })
        {
            using (q)
            {
                q.Put("data");
                IpcProcess? join = q is IpcJoinableQueue<string> jq ? StartDaemon(T.JoinWorker, jq) : null;
                q.Shutdown(immediate: false); // [joinable] unfinished tasks: 1 -> 1
                Thread.Sleep(10);
                Assert.That(q.Count, Is.EqualTo(1));
                Assert.That(q.Get(ShortTimeout), Is.EqualTo("data"));
                if (join is not null) Assert.That(join.IsAlive, Is.True);
                Assert.Throws<IpcQueueShutDownException>(() => q.Put("data"));
                Assert.Throws<IpcQueueShutDownException>(() => q.PutNowait("data"));
                Assert.Throws<IpcQueueShutDownException>(() => q.Get());
                Assert.Throws<IpcQueueShutDownException>(() => q.GetNowait());
                if (q is IpcJoinableQueue<string> j) j.TaskDone();
                if (join is not null)
                {
                    JoinOk(join);
                    Assert.That(join.IsAlive, Is.False);
                }
            }
        }
    }

    [Test, Description("Python: _TestQueue.test_shutdown_immediate.")]
    public void TestQueue_ShutdownImmediate()
    {
        foreach (var q in new IpcQueue<string>[] { Multiprocessing.Queue<string>(), Multiprocessing.JoinableQueue<string>() })
        {
            using (q)
            {
                q.Put("data");
                IpcProcess? join = q is IpcJoinableQueue<string> jq ? StartDaemon(T.JoinWorker, jq) : null;
                q.Shutdown(immediate: true);
                Thread.Sleep(10);
                Assert.That(q.Count, Is.EqualTo(0));
                if (join is not null)
                {
                    JoinOk(join);
                    Assert.That(join.IsAlive, Is.False);
                }
                Assert.Throws<IpcQueueShutDownException>(() => q.Put("data"));
                Assert.Throws<IpcQueueShutDownException>(() => q.PutNowait("data"));
                Assert.Throws<IpcQueueShutDownException>(() => q.Get());
                Assert.Throws<IpcQueueShutDownException>(() => q.GetNowait());
                if (q is IpcJoinableQueue<string> j)
                    Assert.Throws<InvalidOperationException>(j.TaskDone, "Didn't appear to mark all tasks done");
            }
        }
    }

    [Test, Description("Python: _TestQueue.test_shutdown_immediate_with_unfinished.")]
    public void TestQueue_ShutdownImmediateWithUnfinished()
    {
        using var q = Multiprocessing.JoinableQueue<string>();
        q.Put("data");
        q.Put("data");
        var join = StartDaemon(T.JoinWorker, q);
        Assert.That(q.Get(ShortTimeout), Is.EqualTo("data"));
        q.Shutdown(immediate: true);
        Thread.Sleep(10);
        Assert.That(q.Count, Is.EqualTo(0));
        Assert.That(join.IsAlive, Is.True);
        Assert.Throws<IpcQueueShutDownException>(() => q.Put("data"));
        Assert.Throws<IpcQueueShutDownException>(() => q.PutNowait("data"));
        Assert.Throws<IpcQueueShutDownException>(() => q.Get());
        Assert.Throws<IpcQueueShutDownException>(() => q.GetNowait());
        q.TaskDone();
        Assert.Throws<InvalidOperationException>(q.TaskDone, "Didn't appear to mark all tasks done");
        JoinOk(join);
        Assert.That(join.IsAlive, Is.False);
    }

    [Test, Description("Python: TestSimpleQueue.test_empty: the child puts empty() twice.")]
    public void TestSimpleQueue_Empty()
    {
        using var queue = Multiprocessing.SimpleQueue<bool>();
        using var childCanStart = Multiprocessing.Event();
        using var parentCanContinue = Multiprocessing.Event();
        var proc = StartDaemon(T.SimpleQueueEmpty, queue, childCanStart, parentCanContinue);

        Assert.That(queue.IsEmpty, Is.True);
        childCanStart.Set();
        Assert.That(parentCanContinue.Wait(ShortTimeout));
        Assert.That(queue.IsEmpty, Is.False);
        Assert.That(queue.Get(ShortTimeout), Is.True);
        Assert.That(queue.Get(ShortTimeout), Is.False);
        Assert.That(queue.IsEmpty, Is.True);
        JoinOk(proc);
    }

    [Test, Description("Python: TestSimpleQueue.test_close: closing twice does not fail. (Also: a closed SimpleQueue refuses puts from this process with IpcQueueClosedException; a child can still put, and the stream ends once it exited.)")]
    public void TestSimpleQueue_Close()
    {
        using var queue = Multiprocessing.SimpleQueue<bool>();
        var p = StartDaemon(T.SimpleQueuePut, queue, true);
        queue.Close();
        Assert.DoesNotThrow(queue.Close); // closing a queue twice should not fail
        Assert.Throws<IpcQueueClosedException>(() => queue.Put(false));
        Assert.That(queue.Get(ShortTimeout), Is.True);
        JoinOk(p);
        Assert.Throws<IpcQueueClosedException>(() => queue.Get(ShortTimeout));
    }
}
