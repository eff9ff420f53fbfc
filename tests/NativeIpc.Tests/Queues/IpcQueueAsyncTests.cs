using System.Diagnostics;
using System.Threading.Channels;
using NUnit.Framework;

namespace NativeIpc.Tests.Queues;

[TestFixture]
public class IpcQueueAsyncTests : ChildProcessFixture
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Test]
    public async Task GetAsync_Pending_ParksInsteadOfPolling_AndWakesOnChildPut()
    {
        using var q = new IpcQueue<int>();
        var get = q.GetAsync().AsTask();
        Assert.That(Eventually(() => AsyncParker.RegistrationCount > 0, Long), Is.True, "the wait is registered with the parker");
        long sleeps = AsyncParker.SleepCount;
        var p = Track(IpcProcess.Start(QueueAsyncChildTargets.PutAfter, q, 42, 500));
        await Task.Delay(300);
        Assert.That(get.IsCompleted, Is.False);
        Assert.That(await get.WaitAsync(Long), Is.EqualTo(42));
        // Idle waiting sleeps in liveness slices (100 ms), not in 1-5 ms polls.
        if (AsyncParker.Parks) Assert.That(AsyncParker.SleepCount - sleeps, Is.LessThan(60));
        JoinOrFail(p);
        Assert.That(Eventually(() => AsyncParker.RegistrationCount == 0, Long), Is.True);
    }

    [Test]
    public async Task GetAsync_ManyCancellationsRacingPuts_NoItemLostOrDuplicated()
    {
        const int N = 3000;
        using var q = new IpcQueue<int>(capacityBytes: 4096);
        var p = Track(IpcProcess.Start(QueueAsyncChildTargets.PutRange, q, N));
        q.Close(); // only the child puts
        var seen = new int[N];
        int got = 0, cancelled = 0;
        var rng = new Random(7);
        var sw = Stopwatch.StartNew();
        while (true)
        {
            Assert.That(sw.Elapsed, Is.LessThan(Long), "the stream did not end");
            using var cts = new CancellationTokenSource();
            var get = q.GetAsync(cts.Token).AsTask();
            switch (rng.Next(3))
            {
                case 0: cts.Cancel(); break;
                case 1: cts.CancelAfter(TimeSpan.FromTicks(rng.Next(1, 20_000))); break;
                default: break;
            }
            try
            {
                int item = await get.WaitAsync(Long);
                seen[item]++;
                got++;
            }
            catch (OperationCanceledException) { cancelled++; }
            catch (IpcQueueClosedException) { break; }
        }
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(got, Is.EqualTo(N));
        Assert.That(seen, Is.All.EqualTo(1), "every item exactly once");
        Assert.That(cancelled, Is.GreaterThan(0), "some gets were cancelled");
        Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0), "no registration left");
        Assert.That(q.Count, Is.EqualTo(0));
    }

    [Test]
    public async Task PutAsync_QueueFull_CompletesWhenChildTakes_AndCancelledPutPutsNothing()
    {
        using var q = new IpcQueue<int>(maxItems: 2);
        using var start = new IpcEvent();
        await q.PutAsync(1);
        await q.PutAsync(2);
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            Assert.That(async () => await q.PutAsync(99, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(q.Count, Is.EqualTo(2), "the cancelled put put nothing");
        Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0));

        var p = Track(IpcProcess.Start(QueueAsyncChildTargets.TakeAfterStart, q, start, 2));
        var put = q.PutAsync(3).AsTask();
        await Task.Delay(100);
        Assert.That(put.IsCompleted, Is.False, "the queue is full");
        start.Set();
        await put.WaitAsync(Long);
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(q.Get(Long), Is.EqualTo(3));
    }

    [Test]
    public async Task WaitToReadAsync_TrueWhenChildPuts_FalseAtTheEnd()
    {
        using var q = new IpcQueue<int>();
        var p = Track(IpcProcess.Start(QueueAsyncChildTargets.PutRange, q, 1));
        q.Close();
        Assert.That(await q.WaitToReadAsync().AsTask().WaitAsync(Long), Is.True);
        Assert.That(q.Get(TimeSpan.Zero), Is.EqualTo(0));
        JoinOrFail(p);
        Assert.That(await q.WaitToReadAsync().AsTask().WaitAsync(Long), Is.False, "closed by every holder and drained");
    }

    [Test]
    public async Task ChannelReader_ReadAllAsync_GetsEverythingAndCompletes()
    {
        using var q = new IpcQueue<int>(capacityBytes: 4096);
        var reader = q.AsChannelReader();
        var completion = reader.Completion;
        var p = Track(IpcProcess.Start(QueueAsyncChildTargets.PutRange, q, 500));
        q.Close();
        var got = new List<int>();
        using var cts = new CancellationTokenSource(Long);
        await foreach (var i in reader.ReadAllAsync(cts.Token)) got.Add(i);
        Assert.That(got, Is.EqualTo(Enumerable.Range(0, 500)));
        await completion.WaitAsync(Long);
        Assert.That(reader.TryRead(out _), Is.False);
        Assert.That(async () => await reader.ReadAsync(), Throws.InstanceOf<ChannelClosedException>());
        JoinOrFail(p);
    }

    [Test]
    public async Task ChannelWriter_WritesReachChild_CompleteEndsTheStream()
    {
        using var q = new IpcQueue<int>(capacityBytes: 1024);
        using var results = new IpcQueue<long>();
        var writer = q.AsChannelWriter();
        var p = Track(IpcProcess.Start(QueueAsyncChildTargets.SumUntilEnd, q, results));
        long expected = 0;
        for (int i = 0; i < 2000; i++)
        {
            if (!writer.TryWrite(i))
            {
                Assert.That(await writer.WaitToWriteAsync().AsTask().WaitAsync(Long), Is.True);
                await writer.WriteAsync(i).AsTask().WaitAsync(Long);
            }
            expected += i;
        }
        writer.Complete();
        Assert.That(writer.TryComplete(), Is.False, "already complete");
        Assert.That(writer.TryWrite(1), Is.False);
        Assert.That(await writer.WaitToWriteAsync(), Is.False);
        Assert.That(async () => await writer.WriteAsync(1), Throws.InstanceOf<ChannelClosedException>());
        Assert.That(results.Get(Long), Is.EqualTo(expected));
        Assert.That(results.Get(Long), Is.EqualTo(2000));
        JoinOrFail(p);
    }

    [Test]
    public void GetAsync_QueueDisposedWhilePending_ThrowsObjectDisposed_AndLeavesNoRegistration()
    {
        var q = new IpcQueue<int>();
        using var other = IpcQueue<int>.Attach(q.Name); // a second hold: disposing q does not end the stream
        var get = q.GetAsync().AsTask();
        Assert.That(Eventually(() => AsyncParker.RegistrationCount > 0 || !AsyncParker.Parks, Long), Is.True);
        q.Dispose();
        Assert.That(async () => await get.WaitAsync(Long), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0));
    }

    [Test]
    public async Task SimpleQueue_GetAsyncAndPutAsync_CrossProcess()
    {
        using var requests = new IpcSimpleQueue<string>();
        using var replies = new IpcSimpleQueue<string>();
        var p = Track(IpcProcess.Start(QueueAsyncChildTargets.Echo, requests, replies));
        var reply = replies.GetAsync().AsTask();
        await requests.PutAsync("hi");
        Assert.That(await reply.WaitAsync(Long), Is.EqualTo("hi!"));
        JoinOrFail(p);
    }

    [Test]
    public async Task GetAsync_ManyCancelledThenDisposedAtOnce_NoCrashAndEveryWaitEnds()
    {
        // The cancelled waits' continuations run after Dispose returned: they must not touch the unmapped ring
        // (this crashed the process with an AccessViolation before async waits held a reference on the mapping).
        var queues = Enumerable.Range(0, 20).Select(_ => new IpcQueue<long>()).ToArray();
        using var cts = new CancellationTokenSource();
        var pending = queues.SelectMany(q => Enumerable.Range(0, 10).Select(_ => q.GetAsync(cts.Token).AsTask())).ToArray();
        await Task.Delay(300);
        cts.Cancel();
        foreach (var q in queues) q.Dispose();
        foreach (var t in pending)
        {
            var ex = Assert.CatchAsync<Exception>(async () => await t.WaitAsync(Long));
            Assert.That(ex, Is.InstanceOf<OperationCanceledException>().Or.InstanceOf<ObjectDisposedException>());
        }
    }
}
