using NativeIpc.Tests.Sync;
using NUnit.Framework;

namespace NativeIpc.Tests.Memory;

/// <summary>Dispose racing a blocked call (DESIGN.md "Trust model"): a thread blocked in a primitive's wait is woken
/// by <c>Dispose</c> from another thread and throws <see cref="ObjectDisposedException"/> within a second; the mapping
/// stays until it has left, so the process never faults.</summary>
public class DisposeWhileBlockedTests : ChildProcessFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan WakeBound = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="blocked"/> on its own thread, checks it is still blocked after a while, disposes
    /// <paramref name="target"/> and asserts the call ends with <see cref="ObjectDisposedException"/> within a second.</summary>
    private static void AssertDisposeWakes(IDisposable target, Action blocked, string expectedType)
    {
        Exception? thrown = null;
        var done = new ManualResetEventSlim();
        var t = new Thread(() =>
        {
            try { blocked(); }
            catch (Exception e) { thrown = e; }
            finally { done.Set(); }
        }) { IsBackground = true };
        t.Start();
        Assert.That(done.Wait(TimeSpan.FromMilliseconds(300)), Is.False, "the call should block");

        var sw = System.Diagnostics.Stopwatch.StartNew();
        target.Dispose();
        bool ended = done.Wait(WakeBound + TimeSpan.FromSeconds(4));
        sw.Stop();

        Assert.That(ended, Is.True, "the blocked call did not return after Dispose");
        Assert.That(sw.Elapsed, Is.LessThan(WakeBound), "woken by Dispose, not by a timeout");
        Assert.That(thrown, Is.InstanceOf<ObjectDisposedException>(), $"got {thrown}");
        Assert.That(((ObjectDisposedException)thrown!).ObjectName, Is.EqualTo(expectedType));
    }

    [Test]
    public void Get_OnEmptyQueue_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var q = new IpcQueue<int>();
        AssertDisposeWakes(q, () => q.Get(Wait), "IpcQueue");
        Assert.Throws<ObjectDisposedException>(() => q.Get(TimeSpan.Zero));
    }

    [Test]
    public void Put_OnFullQueue_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var q = new IpcQueue<int>(maxItems: 1);
        q.Put(1);
        AssertDisposeWakes(q, () => q.Put(2, Wait), "IpcQueue");
    }

    [Test]
    public void Get_OnEmptySimpleQueue_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var q = new IpcSimpleQueue<string>();
        AssertDisposeWakes(q, () => q.Get(Wait), "IpcSimpleQueue");
    }

    [Test]
    public void Join_WithUnfinishedTask_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var q = new IpcJoinableQueue<int>();
        q.Put(1);
        AssertDisposeWakes(q, () => q.Join(Wait), "IpcJoinableQueue");
    }

    [Test]
    public void Recv_OnEmptyPipe_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        // Once untimed: the first pass through this exception path pays the runtime's one-time costs, which on a
        // loaded 2-core machine exceeded the wake bound on their own; the bound is about the wake, not about those.
        var (wa, wb) = Connection.CreatePipe();
        using (wb)
        {
            var warm = new Thread(() => { try { wa.Recv<int>(Wait); } catch (ObjectDisposedException) { } }) { IsBackground = true };
            warm.Start();
            Thread.Sleep(100);
            wa.Dispose();
            Assert.That(warm.Join(Wait), Is.True);
        }
        var (a, b) = Connection.CreatePipe();
        using (b)
            AssertDisposeWakes(a, () => a.Recv<int>(Wait), nameof(Connection));
    }

    [Test]
    public void Poll_OnEmptyPipe_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var (a, b) = Connection.CreatePipe();
        using (b)
            AssertDisposeWakes(a, () => a.Poll(Wait), nameof(Connection));
    }

    [Test]
    public void Send_OnFullPipe_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var (a, b) = Connection.CreatePipe(capacityBytes: QueueLayout.MinCapacity);
        using (b)
        {
            var chunk = new byte[64];
            while (true)
            {
                try { a.SendBytes(chunk, TimeSpan.Zero); }
                catch (TimeoutException) { break; }
            }
            AssertDisposeWakes(a, () => a.SendBytes(chunk, Wait), nameof(Connection));
        }
    }

    [Test]
    public void Acquire_OnLockHeldByChild_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var lk = new IpcLock();
        using var acquired = new IpcEvent();
        Track(IpcProcess.Start(SyncChildTargets.HoldLockForever, lk, acquired));
        Assert.That(acquired.Wait(ChildTimeout), Is.True, "child never took the lock");
        AssertDisposeWakes(lk, () => lk.Acquire(Wait), nameof(IpcLock));
    }

    [Test]
    public void Acquire_OnRLockHeldByChild_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var lk = new IpcRLock();
        using var acquired = new IpcEvent();
        Track(IpcProcess.Start(SyncChildTargets.HoldRLockForever, lk, acquired));
        Assert.That(acquired.Wait(ChildTimeout), Is.True, "child never took the lock");
        AssertDisposeWakes(lk, () => lk.Acquire(Wait), nameof(IpcRLock));
    }

    [Test]
    public void Wait_OnUnsetEvent_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var ev = new IpcEvent();
        AssertDisposeWakes(ev, () => ev.Wait(Wait), nameof(IpcEvent));
    }

    [Test]
    public void Acquire_OnEmptySemaphore_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var sem = new IpcSemaphore(0);
        AssertDisposeWakes(sem, () => sem.Acquire(Wait), nameof(IpcSemaphore));
    }

    [Test]
    public void Wait_OnBarrier_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var barrier = new IpcBarrier(2);
        AssertDisposeWakes(barrier, () => barrier.Wait(Wait), nameof(IpcBarrier));
    }

    [Test]
    public void Wait_OnCondition_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        using var lk = new IpcLock();
        var cond = new IpcCondition(lk);
        AssertDisposeWakes(cond, () =>
        {
            using (cond.Acquire(Wait)) cond.Wait(Wait);
        }, nameof(IpcCondition));
        Assert.That(lk.IsLocked, Is.False, "the waiter re-acquired the lock and released it on the way out");
    }

    [Test]
    public void Acquire_WithUserToken_DisposedFromAnotherThread_ThrowsObjectDisposedNotCancelled()
    {
        var sem = new IpcSemaphore(0);
        using var cts = new CancellationTokenSource();
        AssertDisposeWakes(sem, () => sem.Acquire(Wait, cts.Token), nameof(IpcSemaphore));
    }

    [Test]
    public void Write_OnDictWhoseLockIsHeld_DisposedFromAnotherThread_ThrowsObjectDisposed()
    {
        var dict = IpcDict<string, int>.Create();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Exception? holderError = null;
        // A writer of this process stops under the dict's lock, so the next writer parks on it.
        NativeIpc.Manager.SnapshotSegment.BeforePublishHook = () =>
        {
            holding.Set();
            release.Wait(Wait);
        };
        var holder = new Thread(() =>
        {
            try { dict["a"] = 1; }
            catch (Exception e) { holderError = e; }
        }) { IsBackground = true };
        try
        {
            holder.Start();
            Assert.That(holding.Wait(Wait), Is.True, "the first writer never reached the publish");
            NativeIpc.Manager.SnapshotSegment.BeforePublishHook = null;
            AssertDisposeWakes(dict, () => dict["b"] = 2, "IpcDict");
        }
        finally
        {
            NativeIpc.Manager.SnapshotSegment.BeforePublishHook = null;
            release.Set();
            Assert.That(holder.Join(Wait), Is.True, "the lock holder finished on the still-mapped segment");
        }
        Assert.That(holderError, Is.Null, "a call that was already under way when Dispose came finishes normally");
    }

    [Test]
    public void Add_WhileDisposedFromAnotherThread_EndsWithObjectDisposedAndNeverFaults()
    {
        for (int round = 0; round < 50; round++)
        {
            var v = SharedValue<long>.Create();
            Exception? thrown = null;
            using var started = new ManualResetEventSlim();
            var t = new Thread(() =>
            {
                started.Set();
                try { while (true) v.Add(1); }
                catch (Exception e) { thrown = e; }
            }) { IsBackground = true };
            t.Start();
            Assert.That(started.Wait(Wait), Is.True);
            Thread.SpinWait(1000 * round);
            v.Dispose();
            Assert.That(t.Join(Wait), Is.True, "the adder stopped");
            Assert.That(thrown, Is.InstanceOf<ObjectDisposedException>(), $"got {thrown}");
        }
    }
}
