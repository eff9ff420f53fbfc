using NUnit.Framework;
using T = NativeIpc.Tests.Parity.BarrierTargets;

namespace NativeIpc.Tests.Parity;

/// <summary>Ported from CPython's <c>_TestBarrier</c>: N - 1 child processes and this process run the same function
/// (Python's Bunch), with shared counters for Python's DummyList.</summary>
[TestFixture]
public class BarrierParityTests : ParityFixture
{
    private const int N = T.N;
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private IpcBarrier _barrier = null!;
    private readonly List<IDisposable> _owned = [];

    [SetUp]
    public void CreateBarrier() => _barrier = new IpcBarrier(N, timeout: DefaultTimeout);

    [TearDown]
    public void AbortBarrier()
    {
        _barrier.Abort();
        _barrier.Dispose();
        foreach (var o in _owned) o.Dispose();
        _owned.Clear();
    }

    private SharedValue<int> DummyList() => Own(SharedValue<int>.Create(0));

    private TD Own<TD>(TD d) where TD : IDisposable
    {
        _owned.Add(d);
        return d;
    }

    /// <summary>run_threads: N - 1 daemon children run <paramref name="target"/>, this process runs <paramref name="self"/>; all must finish cleanly.</summary>
    private void RunThreads(Delegate target, object?[] args, Action self)
    {
        var children = Enumerable.Range(0, N - 1).Select(_ => StartDaemon(target, args)).ToList();
        try
        {
            self();
        }
        finally
        {
            foreach (var p in children) JoinOk(p);
        }
    }

    private void TestBarrier(int passes)
    {
        var r0 = DummyList();
        var r1 = DummyList();
        RunThreads(T.Multipass, [_barrier, r0, r1, passes], () => T.Multipass(_barrier, r0, r1, passes));
    }

    [Test, Description("Python: _TestBarrier.test_barrier: a barrier is passed in lockstep.")]
    public void TestBarrier_Barrier() => TestBarrier(1);

    [Test, Description("Python: _TestBarrier.test_barrier_10.")]
    public void TestBarrier_Barrier10() => TestBarrier(10);

    [Test, Description("Python: _TestBarrier.test_wait_return.")]
    public void TestBarrier_WaitReturn()
    {
        using var queue = Multiprocessing.Queue<int>();
        RunThreads(T.WaitReturn, [_barrier, queue], () => T.WaitReturn(_barrier, queue));
        var results = Enumerable.Range(0, N).Select(_ => queue.Get(ShortTimeout)).ToList();
        Assert.That(results.Count(r => r == 0), Is.EqualTo(1));
    }

    [Test, Description("Python: _TestBarrier.test_action. Difference: the action is a static method (it runs in the last arriving party's process), so it finds its counter by name instead of capturing it.")]
    public void TestBarrier_Action()
    {
        var results = DummyList();
        Environment.SetEnvironmentVariable(T.ActionCounterVariable, results.Name);
        try
        {
            using var barrier = Multiprocessing.Barrier(N, T.AppendTrue);
            RunThreads(T.ActionF, [barrier, results], () => T.ActionF(barrier, results));
            Assert.That(results.Value, Is.EqualTo(1));
        }
        finally
        {
            Environment.SetEnvironmentVariable(T.ActionCounterVariable, null);
        }
    }

    [Test, Description("Python: _TestBarrier.test_abort.")]
    public void TestBarrier_Abort()
    {
        var results1 = DummyList();
        var results2 = DummyList();
        RunThreads(T.AbortF, [_barrier, results1, results2], () => T.AbortF(_barrier, results1, results2));
        Assert.That(results1.Value, Is.EqualTo(0));
        Assert.That(results2.Value, Is.EqualTo(N - 1));
        Assert.That(_barrier.Broken, Is.True);
    }

    [Test, Description("Python: _TestBarrier.test_reset.")]
    public void TestBarrier_Reset()
    {
        var results1 = DummyList();
        var results2 = DummyList();
        var results3 = DummyList();
        RunThreads(T.ResetF, [_barrier, results1, results2, results3], () => T.ResetF(_barrier, results1, results2, results3));
        Assert.That(results1.Value, Is.EqualTo(0));
        Assert.That(results2.Value, Is.EqualTo(N - 1));
        Assert.That(results3.Value, Is.EqualTo(N));
    }

    [Test, Description("Python: _TestBarrier.test_abort_and_reset.")]
    public void TestBarrier_AbortAndReset()
    {
        var results1 = DummyList();
        var results2 = DummyList();
        var results3 = DummyList();
        using var barrier2 = Multiprocessing.Barrier(N);
        RunThreads(T.AbortAndResetF, [_barrier, barrier2, results1, results2, results3],
            () => T.AbortAndResetF(_barrier, barrier2, results1, results2, results3));
        Assert.That(results1.Value, Is.EqualTo(0));
        Assert.That(results2.Value, Is.EqualTo(N - 1));
        Assert.That(results3.Value, Is.EqualTo(N));
    }

    [Test, Description("Python: _TestBarrier.test_timeout.")]
    public void TestBarrier_Timeout()
    {
        var results = DummyList();
        RunThreads(T.TimeoutF, [_barrier, results], () => T.TimeoutF(_barrier, results));
        Assert.That(results.Value, Is.EqualTo(_barrier.Parties));
    }

    [Test, Description("Python: _TestBarrier.test_default_timeout (the default timeout travels with the barrier to children).")]
    public void TestBarrier_DefaultTimeout()
    {
        using var barrier = Multiprocessing.Barrier(N, timeout: TimeSpan.FromSeconds(0.5));
        var results = DummyList();
        RunThreads(T.DefaultTimeoutF, [barrier, results], () => T.DefaultTimeoutF(barrier, results));
        Assert.That(results.Value, Is.EqualTo(barrier.Parties));
    }

    [Test, Description("Python: _TestBarrier.test_single_thread.")]
    public void TestBarrier_SingleThread()
    {
        using var b = Multiprocessing.Barrier(1);
        b.Wait();
        b.Wait();
    }

    [Test, Description("Python: _TestBarrier.test_thousand: five processes pass the barrier 1000 times, each pass seen in order.")]
    public void TestBarrier_Thousand()
    {
        const int passes = 1000;
        using var @lock = Multiprocessing.Lock();
        var (conn, childConn) = Multiprocessing.Pipe(duplex: false);
        using (conn)
        using (childConn)
        {
            var procs = Enumerable.Range(0, N).Select(_ => Track(IpcProcess.Start(T.ThousandF, _barrier, passes, childConn, @lock))).ToList();
            for (int i = 0; i < passes; i++)
                for (int j = 0; j < N; j++)
                    Assert.That(conn.Recv<int>(ShortTimeout), Is.EqualTo(i));
            foreach (var p in procs) JoinOk(p);
        }
    }
}
