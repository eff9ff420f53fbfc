using System.Diagnostics;
using System.Threading.Channels;
using NUnit.Framework;

namespace NativeIpc.Tests.Queues;

/// <summary><see cref="IpcQueue{T}.Shutdown"/> (Python 3.13's <c>Queue.shutdown</c>) across processes, in its sync and
/// async paths, and next to <c>Close()</c> / <c>Complete()</c>. The Python ports are in Parity/QueueParityTests.cs.</summary>
[TestFixture]
public class QueueShutdownTests : ChildProcessFixture
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [TestCase(false)]
    [TestCase(true)]
    public void ShutdownImmediate_WakesAGetBlockedInAChild_WhichThrowsShutDown(bool useAsync)
    {
        using var q = new IpcQueue<int>();
        using var report = new IpcQueue<string>();
        var p = Track(IpcProcess.Start(QueueChildTargets.GetReportingOutcome, q, report, useAsync));
        Assert.That(report.Get(Long), Is.EqualTo("waiting"));
        Thread.Sleep(300); // let the child's get park
        var sw = Stopwatch.StartNew();
        q.Shutdown(immediate: true);
        Assert.That(report.Get(Long), Is.EqualTo(nameof(IpcQueueShutDownException)));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the blocked get was not woken by the shutdown");
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(q.IsShutDown, Is.True);
    }

    [Test]
    public void ShutdownImmediate_DiscardsTheItems_SoAChildsGetAndPutThrowShutDownAtOnce()
    {
        using var q = new IpcQueue<int>();
        using var report = new IpcQueue<string>();
        q.PutMany(new[] { 1, 2, 3 });
        q.Shutdown(immediate: true);
        Assert.That(q.Count, Is.EqualTo(0));
        var getter = Track(IpcProcess.Start(QueueChildTargets.GetReportingOutcome, q, report, false));
        Assert.That(report.Get(Long), Is.EqualTo("waiting"));
        Assert.That(report.Get(Long), Is.EqualTo(nameof(IpcQueueShutDownException)));
        var putter = Track(IpcProcess.Start(QueueChildTargets.PutReportingOutcome, q, report));
        Assert.That(report.Get(Long), Is.EqualTo(nameof(IpcQueueShutDownException)));
        JoinOrFail(getter);
        JoinOrFail(putter);
        Assert.That(getter.ExitCode, Is.EqualTo(0));
        Assert.That(putter.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void ShutdownImmediate_InAChild_ReleasesTheParentsJoin()
    {
        using var q = Multiprocessing.JoinableQueue<int>();
        for (int i = 0; i < 5; i++) q.Put(i);
        var join = Task.Run(() => q.Join(Long));
        Assert.That(join.Wait(200), Is.False, "join returned with five unfinished tasks");
        var p = Track(IpcProcess.Start(QueueChildTargets.ShutdownJoinable, q, true));
        Assert.That(join.Wait(Long), Is.True, "join never returned");
        Assert.That(join.Result, Is.True);
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(q.UnfinishedTasks, Is.EqualTo(0));
        Assert.That(q.Count, Is.EqualTo(0));
        Assert.That(q.IsShutDown, Is.True);
        Assert.Throws<IpcQueueShutDownException>(() => q.Put(9));
        Assert.Throws<IpcQueueShutDownException>(() => q.Get(Long));
        Assert.Throws<InvalidOperationException>(q.TaskDone);
    }

    [Test]
    public async Task Shutdown_InAChild_WakesPuttersBlockedOnAFullQueue_SyncAndAsync_ThenGettersDrain()
    {
        using var q = new IpcQueue<int>(maxItems: 1);
        q.Put(1);
        var put = Task.Run(() => Assert.Throws<IpcQueueShutDownException>(() => q.Put(2, Long)));
        var putAsync = q.PutAsync(3).AsTask();
        Thread.Sleep(300); // let both park
        Assert.That(put.IsCompleted || putAsync.IsCompleted, Is.False, "a put did not wait for room");
        var p = Track(IpcProcess.Start(QueueChildTargets.Shutdown, q, false));
        Assert.That(put.Wait(Long), Is.True, "the blocked put was not woken");
        Assert.ThrowsAsync<IpcQueueShutDownException>(async () => await putAsync.WaitAsync(Long));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        // Not immediate: the getters drain what is there, then see the shutdown.
        Assert.That(q.Count, Is.EqualTo(1));
        Assert.That(await q.GetAsync().AsTask().WaitAsync(Long), Is.EqualTo(1));
        Assert.ThrowsAsync<IpcQueueShutDownException>(async () => await q.GetAsync().AsTask().WaitAsync(Long));
        Assert.Throws<IpcQueueShutDownException>(() => q.Get(Long));
        Assert.That(q.TryGet(out _), Is.False);
    }

    [Test]
    public async Task ShutdownImmediate_WakesAnAsyncGetParkedInThisProcess()
    {
        using var q = new IpcQueue<int>();
        var get = q.GetAsync().AsTask();
        var wait = q.WaitToReadAsync().AsTask();
        Thread.Sleep(200);
        Assert.That(get.IsCompleted || wait.IsCompleted, Is.False);
        q.Shutdown(immediate: true);
        Assert.ThrowsAsync<IpcQueueShutDownException>(async () => await get.WaitAsync(Long));
        Assert.That(await wait.WaitAsync(Long), Is.False, "WaitToReadAsync reports the end as false");
    }

    [Test]
    public async Task Shutdown_NotImmediate_TheAdaptersAndEnumerablesDrainThenEnd()
    {
        using var q = new IpcQueue<int>();
        q.PutMany(new[] { 1, 2, 3, 4 });
        var reader = q.AsChannelReader();
        var writer = q.AsChannelWriter();
        q.Shutdown();
        Assert.That(q.IsShutDown, Is.True);
        Assert.That(q.IsClosed, Is.True);
        Assert.That(writer.TryWrite(5), Is.False);
        var write = Assert.ThrowsAsync<ChannelClosedException>(async () => await writer.WriteAsync(5));
        Assert.That(write!.InnerException, Is.TypeOf<IpcQueueShutDownException>());
        Assert.That(await writer.WaitToWriteAsync(), Is.False);
        Assert.That(await q.GetAsync(), Is.EqualTo(1));
        Assert.That(await reader.ReadAsync(), Is.EqualTo(2));
        Assert.That(q.GetConsumingEnumerable().First(), Is.EqualTo(3));
        var rest = new List<int>();
        using var cts = new CancellationTokenSource(Long);
        await foreach (var i in q.GetConsumingAsyncEnumerable(cts.Token)) rest.Add(i);
        Assert.That(rest, Is.EqualTo(new[] { 4 }));
        Assert.That(await q.WaitToReadAsync().AsTask().WaitAsync(Long), Is.False);
        Assert.That(await reader.WaitToReadAsync().AsTask().WaitAsync(Long), Is.False);
        var read = Assert.ThrowsAsync<ChannelClosedException>(async () => await reader.ReadAsync());
        Assert.That(read!.InnerException, Is.TypeOf<IpcQueueShutDownException>());
        Assert.That(reader.Completion.Wait(Long), Is.True);
        Assert.That(q.GetMany(4, Long), Is.Empty);
        Assert.Throws<IpcQueueShutDownException>(() => q.GetNowait());
        Assert.Throws<IpcQueueShutDownException>(() => q.PutAsync(6));
    }

    [Test]
    public void Shutdown_IsIdempotent_AndAnImmediateCallAfterAPlainOneDiscards()
    {
        using var q = Multiprocessing.JoinableQueue<int>();
        q.PutMany(new[] { 1, 2 });
        q.Shutdown();
        q.Shutdown();
        Assert.That(q.Count, Is.EqualTo(2));
        Assert.That(q.UnfinishedTasks, Is.EqualTo(2));
        q.Shutdown(immediate: true);
        Assert.That(q.Count, Is.EqualTo(0));
        Assert.That(q.UnfinishedTasks, Is.EqualTo(0));
        Assert.That(q.Join(TimeSpan.Zero), Is.True);
        q.Shutdown(immediate: true);
        q.Shutdown();
        Assert.Throws<IpcQueueShutDownException>(() => q.Get(Long));
    }

    [Test]
    public void CloseAndComplete_KeepTheirClosedException_AShutdownAfterCompleteSwitchesIt()
    {
        using var q = new IpcQueue<int>();
        q.Put(1);
        q.Complete();
        Assert.That(q.IsShutDown, Is.False);
        Assert.Throws<IpcQueueClosedException>(() => q.Put(2));
        Assert.That(q.Get(Long), Is.EqualTo(1));
        Assert.Throws<IpcQueueClosedException>(() => q.Get(Long));
        q.Shutdown();
        Assert.That(q.IsShutDown, Is.True);
        Assert.Throws<IpcQueueShutDownException>(() => q.Put(2));
        Assert.Throws<IpcQueueShutDownException>(() => q.Get(Long));

        using var closed = new IpcQueue<int>();
        using var other = IpcQueue<int>.Attach(closed.Name);
        closed.Close();
        other.Shutdown();
        Assert.Throws<IpcQueueClosedException>(() => closed.Put(1), "this object's own Close() is checked first");
        Assert.Throws<IpcQueueShutDownException>(() => other.Put(1));
        Assert.Throws<IpcQueueShutDownException>(() => closed.Get(Long));
    }

    [Test]
    public void ShutdownImmediate_AProducerHungMidPut_DoesNotHangTheShutdown_ItsTornRecordIsSkippedOnceItDies()
    {
        string file = TestPaths.TempFile();
        try
        {
            using var q = new IpcQueue<int>();
            q.Put(1);
            var p = Track(IpcProcess.Start(QueueChildTargets.ClaimAndHang, q, 99, file));
            Assert.That(Eventually(() => File.Exists(file), Long), Is.True, "child never claimed");
            var sw = Stopwatch.StartNew();
            q.Shutdown(immediate: true); // drops 1, then waits a bounded time for the record being written
            Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the shutdown hung on a stalled producer");
            Assert.Throws<IpcQueueShutDownException>(() => q.Put(2));
            p.Kill();
            JoinOrFail(p);
            Assert.Throws<IpcQueueShutDownException>(() => q.Get(Long)); // the torn record is skipped, never delivered
            Assert.That(q.Count, Is.EqualTo(0));
        }
        finally { File.Delete(file); }
    }

    [Test]
    public void UseAfterDispose_ShutdownThrowsObjectDisposed()
    {
        var q = new IpcQueue<int>();
        q.Dispose();
        Assert.Throws<ObjectDisposedException>(() => q.Shutdown());
        Assert.Throws<ObjectDisposedException>(() => _ = q.IsShutDown);
    }
}
