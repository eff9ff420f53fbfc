using NUnit.Framework;

namespace NativeIpc.Tests.Pool;

/// <summary>Workers that cannot start: the pool gives up after a bounded number of tries instead of restarting forever,
/// fails what is pending and refuses later calls with <see cref="IpcPoolBrokenException"/>.</summary>
[TestFixture]
public class ProcessPoolStartFailureTests : ChildProcessFixture
{
    private ProcessPool? _pool;

    [TearDown]
    public void DisposePool()
    {
        _pool?.Dispose();
        _pool = null;
    }

    [Test]
    public void ReplacementStartThrows_PendingTasksFailWithPoolBroken_LaterCallsThrowIt()
    {
        var pool = _pool = new ProcessPool(1);
        Assert.That(pool.Apply(PoolTargets.Square, 2), Is.EqualTo(4));
        int starts = 0;
        pool.BeforeWorkerStart = _ =>
        {
            Interlocked.Increment(ref starts);
            throw new IOException("test: the system cannot start more processes");
        };
        var dies = pool.ApplyAsync(PoolTargets.Exit, 3);
        var queued = pool.ApplyAsync(PoolTargets.Square, 5); // behind the worker's death: nobody left to run it

        Assert.Throws<IpcWorkerLostException>(() => dies.Get(ChildTimeout));
        var broken = Assert.Throws<IpcPoolBrokenException>(() => queued.Get(ChildTimeout));
        Assert.That(broken!.InnerException, Is.InstanceOf<IOException>());
        Assert.That(starts, Is.EqualTo(ProcessPool.MaxConsecutiveStartFailures));
        Assert.Throws<IpcPoolBrokenException>(() => pool.ApplyAsync(PoolTargets.Square, 1));
        Assert.Throws<IpcPoolBrokenException>(() => pool.Map(PoolTargets.Square, [1], timeout: ChildTimeout));
        Assert.That(pool.ToString(), Does.Contain("BROKEN"));
        Assert.That(pool.Join(ChildTimeout), Is.True, "a broken pool still joins");
    }

    [Test]
    public void WorkersDieBeforeReady_PoolGivesUpAfterBoundedRestarts_InsteadOfRestartingForever()
    {
        // Every worker's initializer throws, so every worker exits before its task loop: Python restarts them forever.
        var pool = _pool = new ProcessPool(2, initializer: (Action<string>)PoolTargets.FailInitializer, initArgs: ["always"]);
        var pending = pool.MapAsync(PoolTargets.Square, [1, 2, 3]);
        var e = Assert.Throws<AggregateException>(() => pending.Wait(ChildTimeout));
        Assert.That(e!.InnerException, Is.InstanceOf<IpcPoolBrokenException>());
        Assert.That(e.InnerException!.InnerException!.Message, Does.Contain("before it was ready"));
        Assert.Throws<IpcPoolBrokenException>(() => pool.ApplyAsync(PoolTargets.Square, 1));
        Assert.That(Eventually(() => pool.Pids.Count == 0, ChildTimeout), Is.True, "no worker left running");
    }
}
