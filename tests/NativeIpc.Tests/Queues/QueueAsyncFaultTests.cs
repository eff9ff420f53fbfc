using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Queues;

/// <summary>Pending async queue waits when a peer dies: a process that dies wakes nobody, so these pin that the
/// parker's liveness watch notices the death and the wait ends as a synchronous one would (issue 11, Faults).</summary>
[TestFixture]
public class QueueAsyncFaultTests : ChildProcessFixture
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    /// <summary>How soon after a kill a pending wait must end: liveness is looked at every 100 ms (loaded machine: generous).</summary>
    private static readonly TimeSpan AfterKill = TimeSpan.FromSeconds(10);
    private string _file = "";

    [SetUp]
    public void NewFile() => _file = TestPaths.TempFile();

    [TearDown]
    public void RemoveFile() => File.Delete(_file);

    [Test]
    public async Task GetAsync_OnlyProducerKilledWhileHolding_EndsWithClosed()
    {
        using var q = new IpcQueue<int>();
        var p = Track(IpcProcess.Start(QueueChildTargets.PutAndHang, q, 0, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never started");
        q.Close(); // only the child could put
        var get = q.GetAsync().AsTask();
        Assert.That(Eventually(() => AsyncParker.RegistrationCount > 0 || !AsyncParker.Parks, Long), Is.True);
        await Task.Delay(300);
        Assert.That(get.IsCompleted, Is.False, "the child still holds the queue");
        p.Kill();
        JoinOrFail(p);
        Assert.That(async () => await get.WaitAsync(AfterKill), Throws.InstanceOf<IpcQueueClosedException>());
        Assert.That(Eventually(() => AsyncParker.RegistrationCount == 0, Long), Is.True, "no registration left");
    }

    [Test]
    public async Task GetAsync_ProducerKilledMidPut_SkipsTornRecordAndEnds()
    {
        using var q = new IpcQueue<int>();
        var p = Track(IpcProcess.Start(QueueChildTargets.ClaimAndHang, q, 99, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never claimed");
        q.Close();
        var get = q.GetAsync().AsTask();
        await Task.Delay(300);
        Assert.That(get.IsCompleted, Is.False, "the claimed record is not published");
        p.Kill();
        JoinOrFail(p);
        Assert.That(async () => await get.WaitAsync(AfterKill), Throws.InstanceOf<IpcQueueClosedException>(),
            "the torn record is skipped, never delivered, and the stream ends");
        Assert.That(q.Count, Is.EqualTo(0));
    }

    [Test]
    public async Task GetAsync_ConsumerKilledHoldingTakeWord_PendingGetTakesOver()
    {
        // A chunked message: the child takes its first chunk and hangs holding the take word for the rest.
        using var q = new IpcQueue<byte[]>(capacityBytes: 1 << 16);
        q.Put(new byte[40_000], Long);
        var p = Track(IpcProcess.Start(QueueChildTargets.TakeBytesAndHang, q, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never took");
        var get = q.GetAsync().AsTask();
        await Task.Delay(300);
        Assert.That(get.IsCompleted, Is.False, "the child holds the take word");
        p.Kill();
        JoinOrFail(p);
        // The dead consumer's partial message is dropped; the next one is ours. The wait is parked on the take word,
        // which this put does not wake: only noticing the death ends it.
        q.Put([7], Long);
        Assert.That(await get.WaitAsync(AfterKill), Is.EqualTo(new byte[] { 7 }));
    }

    [Test]
    public async Task PutAsync_ConsumerKilledMidTakeOfFullRing_PendingPutCompletes()
    {
        using var q = new IpcQueue<int>(capacityBytes: 1024);
        q.Put(1, Long);
        var p = Track(IpcProcess.Start(QueueChildTargets.TakeAndHang, q, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never took");
        int filled = 0;
        while (q.TryPut(100 + filled)) filled++;
        Assert.That(filled, Is.GreaterThan(0));
        var put = q.PutAsync(-1).AsTask();
        await Task.Delay(300);
        Assert.That(put.IsCompleted, Is.False, "the ring is full behind the child's taken record");
        p.Kill();
        JoinOrFail(p);
        await put.WaitAsync(AfterKill); // the dead consumer's record is freed
        for (int i = 0; i < filled; i++) Assert.That(q.Get(Long), Is.EqualTo(100 + i));
        Assert.That(q.Get(Long), Is.EqualTo(-1));
    }

    [Test]
    public async Task PendingGetAsync_1000On100Queues_NoParkerWakeupsAndNoCpuWhileIdle()
    {
        Assume.That(AsyncParker.Parks, "futex_waitv parking (Linux 5.16+)");
        var queues = Enumerable.Range(0, 100).Select(_ => new IpcQueue<long>()).ToArray();
        using var cts = new CancellationTokenSource();
        try
        {
            var pending = queues.SelectMany(q => Enumerable.Range(0, 10).Select(_ => q.GetAsync(cts.Token).AsTask())).ToList();
            Assert.That(Eventually(() => AsyncParker.RegistrationCount == 1000, Long), Is.True);
            await Task.Delay(1000); // the runtime settles (tiered JIT) after making 1,000 waits
            long sleeps0 = AsyncParker.SleepCount;
            var me = System.Diagnostics.Process.GetCurrentProcess();
            var cpu0 = me.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await Task.Delay(2000);
            me.Refresh();
            var cpu = me.TotalProcessorTime - cpu0;
            long parkerSleeps = AsyncParker.SleepCount - sleeps0;
            TestContext.Out.WriteLine($"over {sw.Elapsed.TotalSeconds:F1} s idle: CPU {cpu.TotalMilliseconds:F0} ms, parker sleeps {parkerSleeps}");
            // One liveness look per slice (100 ms) is allowed; one per wait per slice (the old cost: 20,000) is not.
            Assert.That(parkerSleeps, Is.LessThan(100), "the parker wakes only for the liveness look, not per wait");
            Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(1000), "no wait was completed and re-registered meanwhile");
            Assert.That(cpu, Is.LessThan(TimeSpan.FromMilliseconds(300)), "idle pending waits burn (next to) no CPU");
            foreach (var q in queues) q.Put(1);
            Assert.That(Eventually(() => pending.Count(t => t.IsCompletedSuccessfully) == 100, Long), Is.True, "one item per queue, one wait each");
            await cts.CancelAsync();
            Assert.That(Eventually(() => AsyncParker.RegistrationCount == 0, Long), Is.True, "cancelled waits leave no registration");
            Assert.That(Task.WhenAll(pending).ContinueWith(_ => { }).Wait(Long), Is.True);
            Assert.That(pending.Count(t => t.IsCanceled), Is.EqualTo(900), string.Join(",", pending.Select(t => t.Status).Distinct()));
        }
        finally
        {
            foreach (var q in queues) q.Dispose();
        }
    }
}
