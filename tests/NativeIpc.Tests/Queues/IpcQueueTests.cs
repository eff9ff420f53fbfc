using NUnit.Framework;

namespace NativeIpc.Tests.Queues;

[TestFixture]
public class IpcQueueTests : ChildProcessFixture
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private string _file = "";

    [SetUp]
    public void NewFile() => _file = TestPaths.TempFile();

    [TearDown]
    public void RemoveFile() => File.Delete(_file);

    /// <summary>Consumers decide from the header at head that a record is there (the ring keeps the state word at tail
    /// cleared, also with several producers claiming in turn). Two producers and two consumers, all children, over a
    /// 1 KiB ring, with payloads made of words that look like published headers in lengths that shift record boundaries
    /// every lap: every message arrives exactly once and intact (a stale look-alike taken for a record would be a
    /// phantom message or a corrupt-ring error).</summary>
    [Test]
    public void TwoProducersTwoConsumers_HeaderLookalikePayloadsOnASmallRing_EveryMessageOnceIntact()
    {
        const int PerProducer = 2000;
        using var q = new IpcQueue<byte[]>(QueueLayout.MinCapacity);
        using var output = new IpcQueue<byte[]>(1 << 22);
        var children = new List<IpcProcess>();
        for (int c = 0; c < 2; c++) children.Add(Track(IpcProcess.Start(QueueChildTargets.EchoBytes, q, output)));
        for (int p = 0; p < 2; p++) children.Add(Track(IpcProcess.Start(QueueChildTargets.PutLookalikes, q, p, PerProducer)));
        q.Close(); // the producers end the stream when both let go
        output.Close();
        var expected = new Dictionary<string, int>();
        for (int p = 0; p < 2; p++)
            for (int i = 0; i < PerProducer; i++)
            {
                string key = Convert.ToHexString(QueueChildTargets.HeaderLookalike(p, i));
                expected[key] = expected.GetValueOrDefault(key) + 1;
            }
        for (int n = 0; n < 2 * PerProducer; n++)
        {
            string key = Convert.ToHexString(output.Get(Long));
            Assert.That(expected.GetValueOrDefault(key), Is.GreaterThan(0), $"message {n} was never sent, or arrived twice: {key}");
            expected[key]--;
        }
        Assert.Throws<IpcQueueClosedException>(() => output.Get(Long), "nothing more than was sent");
        foreach (var child in children) JoinOrFail(child);
    }

    [Test]
    public void PutGet_InOneProcess_IsFifo()
    {
        using var q = new IpcQueue<int>(4096);
        for (int i = 0; i < 1000; i++) { q.Put(i); Assert.That(q.Get(Long), Is.EqualTo(i)); }
        q.PutMany([1, 2, 3]);
        Assert.That(q.Count, Is.EqualTo(3));
        Assert.That(q.GetMany(10), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(q.IsEmpty, Is.True);
    }

    [Test]
    public void ThreeProducersThreeConsumers_DeliverExactlyWhatWasPut_EachProducerInOrder()
    {
        const int perProducer = 20_000;
        using var q = new IpcQueue<long>(64 * 1024);
        using var results = new IpcQueue<Seen>(8 << 20);
        var consumers = Enumerable.Range(0, 3).Select(c => Track(IpcProcess.Start(QueueChildTargets.Consume, q, results, c))).ToList();
        // Producers start once every consumer is taking: a fast consumer could otherwise drain all 60,000 items
        // while the others are still starting, and the sharing check below would test start-up times.
        var ready = Enumerable.Range(0, 3).Select(_ => results.Get(TimeSpan.FromSeconds(60))).ToList();
        Assert.That(ready.Select(s => s.Item), Is.All.EqualTo(QueueChildTargets.ReadyItem));
        Assert.That(ready.Select(s => s.Consumer).Order(), Is.EqualTo(new[] { 0, 1, 2 }));
        var producers = Enumerable.Range(0, 3).Select(p => Track(IpcProcess.Start(QueueChildTargets.Produce, q, p, perProducer))).ToList();
        var seen = new List<Seen>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (producers.Any(p => p.IsAlive) && DateTime.UtcNow < deadline)
            if (results.TryGet(out var s, TimeSpan.FromMilliseconds(100))) seen.Add(s);
        foreach (var p in producers) { JoinOrFail(p); Assert.That(p.ExitCode, Is.EqualTo(0)); }
        q.Close();
        foreach (var c in consumers) { JoinOrFail(c); Assert.That(c.ExitCode, Is.EqualTo(0)); }
        while (results.TryGet(out var s)) seen.Add(s);

        Assert.That(seen, Has.Count.EqualTo(3 * perProducer));
        var expected = Enumerable.Range(0, 3).SelectMany(p => Enumerable.Range(0, perProducer).Select(i => ((long)p << 32) | (uint)i));
        Assert.That(seen.Select(s => s.Item).Order(), Is.EqualTo(expected.Order()));
        foreach (var group in seen.GroupBy(s => (s.Consumer, Producer: s.Item >> 32)))
        {
            var items = group.Select(s => s.Item).ToList();
            Assert.That(items, Is.Ordered, $"consumer {group.Key.Consumer} saw producer {group.Key.Producer}'s items out of order");
        }
        Assert.That(seen.Select(s => s.Consumer).Distinct().Count(), Is.GreaterThan(1), "work was shared between consumers");
    }

    [Test]
    public void Put_MessagesLargerThanTheRing_ArriveWholeAndInOrder()
    {
        using var q = new IpcQueue<byte[]>(4096);
        var p = Track(IpcProcess.Start(QueueChildTargets.PutBig, q, 5, 200_000));
        for (int i = 0; i < 5; i++)
            Assert.That(q.Get(Long), Is.EqualTo(QueueChildTargets.BigPayload(i, 200_000)), $"message {i}");
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void Put_BigAndSmallFromManyThreads_EachArrivesWhole()
    {
        using var q = new IpcQueue<byte[]>(8192);
        var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            for (int i = 0; i < 30; i++) q.Put(QueueChildTargets.BigPayload(t * 100 + i, i % 3 == 0 ? 50_000 : 100 + i), Long);
        })).ToList();
        threads.ForEach(t => t.Start());
        var got = new List<byte[]>();
        for (int i = 0; i < 90; i++) got.Add(q.Get(Long));
        threads.ForEach(t => Assert.That(t.Join(Long), Is.True, "producer thread hung"));
        foreach (var b in got)
        {
            bool matches = Enumerable.Range(0, 300).Any(idx => b.AsSpan().SequenceEqual(QueueChildTargets.BigPayload(idx, b.Length)));
            Assert.That(matches, Is.True, $"a {b.Length}-byte message arrived torn");
        }
    }

    [Test]
    public void StringsAndByteArrays_CrossProcesses_Intact()
    {
        using var strings = new IpcQueue<string>(16 * 1024);
        var p = Track(IpcProcess.Start(QueueChildTargets.PutStrings, strings, 50));
        for (int i = 0; i < 50; i++)
            Assert.That(strings.Get(Long), Is.EqualTo($"message {i} — ünïcødé " + new string('x', i * 100)));
        JoinOrFail(p);

        using var input = new IpcQueue<byte[]>();
        using var output = new IpcQueue<byte[]>();
        var echo = Track(IpcProcess.Start(QueueChildTargets.EchoBytes, input, output));
        output.Close(); // this process only consumes output: it ends when the echo closes it
        byte[][] payloads = [[], [1], new byte[4096], QueueChildTargets.BigPayload(3, 3 << 20)];
        foreach (var b in payloads) input.Put(b, Long);
        input.Close();
        foreach (var b in payloads) Assert.That(output.Get(Long), Is.EqualTo(b));
        Assert.Throws<IpcQueueClosedException>(() => output.Get(Long));
        JoinOrFail(echo);
    }

    [Test]
    public void ArraysOfUnmanagedValues_RoundTripByteForByte()
    {
        using var ints = new IpcQueue<int[]>();
        using var flags = new IpcQueue<bool[]>();
        using var colors = new IpcQueue<ConsoleColor[]>();
        ints.Put([1, -2, int.MaxValue]);
        flags.Put([true, false, true]);
        colors.Put([ConsoleColor.Red, ConsoleColor.Blue]);
        Assert.That(ints.Get(Long), Is.EqualTo(new[] { 1, -2, int.MaxValue }));
        Assert.That(flags.Get(Long), Is.EqualTo(new[] { true, false, true }));
        Assert.That(colors.Get(Long), Is.EqualTo(new[] { ConsoleColor.Red, ConsoleColor.Blue }));
    }

    [Test]
    public void Put_NullString_ThrowsAndEnqueuesNothing()
    {
        using var q = new IpcQueue<string>();
        Assert.Throws<IpcSerializationException>(() => q.Put(null!));
        Assert.That(q.IsEmpty, Is.True);
    }

    [Test]
    public void Get_EmptyQueue_ThrowsEmptyAfterTheTimeout()
    {
        using var q = new IpcQueue<int>();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Throws<IpcQueueEmptyException>(() => q.Get(TimeSpan.FromMilliseconds(200)));
        Assert.That(sw.ElapsedMilliseconds, Is.InRange(150, 5000));
        Assert.That(q.TryGet(out _), Is.False);
        Assert.Throws<IpcQueueEmptyException>(() => q.GetNowait());
    }

    [Test]
    public void PutAndGet_NobodyWaiting_MakeNoWakeCalls()
    {
        using var q = new IpcQueue<long>(4096);
        long parks = QueueRing.Parks, wakes = QueueRing.Wakes;
        for (int i = 0; i < 10_000; i++) { q.Put(i); Assert.That(q.Get(Long), Is.EqualTo(i)); }
        Assert.That(QueueRing.Wakes - wakes, Is.EqualTo(0));
        Assert.That(QueueRing.Parks - parks, Is.EqualTo(0));
    }

    [Test]
    public void Get_ItemPutByAnotherThreadWhileBlocked_Wakes()
    {
        using var q = new IpcQueue<int>();
        var t = new Thread(() => { Thread.Sleep(300); q.Put(7); });
        t.Start();
        Assert.That(q.Get(Long), Is.EqualTo(7));
        Assert.That(t.Join(Long), Is.True, "thread hung");
    }

    /// <summary>Consumers release ring space in batches; a slot one consumer freed (and then stopped taking) is still
    /// room at once for a non-blocking put from another process: a full 1 KiB ring, a child takes one message and
    /// waits, and the parent's TryPut finds the room (the producer moves the released position itself).</summary>
    [Test]
    public void FullRing_ChildTakesOneAndStops_FreedSlotIsRoomForTryPutAtOnce()
    {
        using var q = new IpcQueue<int>(QueueLayout.MinCapacity);
        int put = 0;
        while (q.TryPut(put)) put++;
        Assert.That(q.IsFull, Is.True);
        var child = Track(IpcProcess.Start(QueueChildTargets.TakeOneAndWait, q, _file));
        Assert.That(SpinWait.SpinUntil(() => File.Exists(_file), Long), Is.True, "the child took nothing");
        Assert.That(q.TryPut(put), Is.True, "a non-blocking put finds the slot the child freed");
        Assert.That(q.TryPut(put + 1), Is.False, "one slot only");
        child.Kill();
        Assert.That(child.Join(Long), Is.True);
        for (int i = 1; i <= put; i++) Assert.That(q.Get(Long), Is.EqualTo(i), "order and content kept");
    }

    [Test]
    public void Put_FullQueue_TimesOutOrFailsFast()
    {
        using var q = new IpcQueue<int>(maxItems: 2);
        q.Put(1);
        Assert.That(q.TryPut(2), Is.True);
        Assert.That(q.IsFull, Is.True);
        Assert.That(q.TryPut(3), Is.False);
        Assert.Throws<IpcQueueFullException>(() => q.PutNowait(3));
        Assert.Throws<IpcQueueFullException>(() => q.Put(3, TimeSpan.FromMilliseconds(100)));
        Assert.That(q.Get(Long), Is.EqualTo(1));
        q.Put(3, Long);
        Assert.That(q.GetMany(5), Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public async Task GetAsync_ItemArrivesLater_Completes_AndCancellationIsHonoured()
    {
        using var q = new IpcQueue<int>();
        var pending = q.GetAsync().AsTask();
        await Task.Delay(100);
        Assert.That(pending.IsCompleted, Is.False);
        await q.PutAsync(5);
        Assert.That(await pending.WaitAsync(Long), Is.EqualTo(5));

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.That(async () => await q.GetAsync(cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task ConsumingAsyncEnumerable_EndsWhenClosedAndDrained()
    {
        using var q = new IpcQueue<int>();
        var p = Track(IpcProcess.Start(static (IpcQueue<int> q) => { for (int i = 0; i < 100; i++) q.Put(i); q.Close(); }, q));
        q.Close(); // only the child puts
        var got = new List<int>();
        using var cts = new CancellationTokenSource(Long);
        await foreach (var i in q.GetConsumingAsyncEnumerable(cts.Token)) got.Add(i);
        Assert.That(got, Is.EqualTo(Enumerable.Range(0, 100)));
        JoinOrFail(p);
    }

    [Test]
    public void Complete_InAnotherProcess_DrainsThenSignalsTheEnd_AndRejectsPuts()
    {
        using var q = new IpcQueue<int>();
        q.PutMany(new[] { 1, 2 });
        var p = Track(IpcProcess.Start(QueueChildTargets.CompleteQueue, q));
        JoinOrFail(p);
        Assert.That(q.IsClosed, Is.True);
        Assert.Throws<IpcQueueClosedException>(() => q.Put(3));
        Assert.That(q.Get(Long), Is.EqualTo(1));
        Assert.That(q.GetConsumingEnumerable().ToList(), Is.EqualTo(new[] { 2 }));
        Assert.Throws<IpcQueueClosedException>(() => q.Get(Long));
        Assert.That(q.TryGet(out _), Is.False);
    }

    [Test]
    public void Close_ByEachOfTwoProducers_EndsTheStreamOnlyAfterTheLast_AndLosesNothing()
    {
        using var q = new IpcQueue<int>(4096);
        var a = Track(IpcProcess.Start(QueueChildTargets.PutRangeAndClose, q, 0, 500));
        var b = Track(IpcProcess.Start(QueueChildTargets.PutRangeAndClose, q, 1000, 500));
        q.Close(); // this process only consumes
        Assert.Throws<IpcQueueClosedException>(() => q.Put(7), "a put after this process's Close()");
        var got = new List<int>();
        var consume = Task.Run(() => { foreach (int i in q.GetConsumingEnumerable()) got.Add(i); });
        Assert.That(consume.Wait(Long), Is.True, "the stream never ended");
        JoinOrFail(a);
        JoinOrFail(b);
        Assert.That(a.ExitCode, Is.EqualTo(0));
        Assert.That(b.ExitCode, Is.EqualTo(0));
        Assert.That(got.Order(), Is.EqualTo(Enumerable.Range(0, 500).Concat(Enumerable.Range(1000, 500))));
        Assert.That(q.IsClosed, Is.True);
    }

    [Test]
    public void Stream_EndsWhenTheLastHolderIsKilled()
    {
        using var q = new IpcQueue<int>();
        var p = Track(IpcProcess.Start(QueueChildTargets.PutAndHang, q, 3, _file));
        q.Close();
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never put");
        for (int i = 0; i < 3; i++) Assert.That(q.Get(Long), Is.EqualTo(i));
        // The child still holds the queue: no end yet.
        Assert.Throws<IpcQueueEmptyException>(() => q.Get(TimeSpan.FromMilliseconds(300)));
        Assert.That(q.IsClosed, Is.False);
        p.Kill();
        JoinOrFail(p);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Throws<IpcQueueClosedException>(() => q.Get(Long));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void Close_DoesNotEndTheStreamWhileAnotherObjectInThisProcessHoldsIt()
    {
        using var q = new IpcQueue<int>();
        using var other = IpcQueue<int>.Attach(q.Name);
        q.Close();
        other.Put(5);
        Assert.That(q.Get(Long), Is.EqualTo(5));
        Assert.That(q.IsClosed, Is.False);
        other.Close();
        Assert.That(q.IsClosed, Is.True);
        Assert.Throws<IpcQueueClosedException>(() => q.Get(Long));
    }

    [Test]
    public void Close_WhileConsumerBlocked_WakesIt()
    {
        using var q = new IpcQueue<int>();
        var t = new Thread(() => { Thread.Sleep(300); q.Close(); });
        t.Start();
        Assert.Throws<IpcQueueClosedException>(() => q.Get(Long));
        Assert.That(t.Join(Long), Is.True, "thread hung");
    }

    [Test]
    public void Get_AfterProducerKilledMidPut_SkipsTornRecord()
    {
        using var q = new IpcQueue<int>(4096);
        q.Put(1);
        var p = Track(IpcProcess.Start(QueueChildTargets.ClaimAndHang, q, 99, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never claimed");
        q.Put(2);
        Assert.That(q.Get(Long), Is.EqualTo(1));
        // The claimer is alive: its record blocks the line (FIFO), so nothing is delivered yet.
        Assert.Throws<IpcQueueEmptyException>(() => q.Get(TimeSpan.FromMilliseconds(200)));
        p.Kill();
        JoinOrFail(p);
        Assert.That(q.Get(Long), Is.EqualTo(2));
        for (int i = 0; i < 500; i++) { q.Put(i, Long); Assert.That(q.Get(Long), Is.EqualTo(i)); }
    }

    [Test]
    public void Get_AfterProducerKilledMidBigPut_DropsThePartialMessage()
    {
        using var q = new IpcQueue<byte[]>(4096);
        var p = Track(IpcProcess.Start(QueueChildTargets.ClaimBigAndHang, q, 100_000, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never claimed");
        p.Kill();
        JoinOrFail(p);
        q.Put([1, 2, 3], Long);
        Assert.That(q.Get(Long), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Put_AfterConsumerKilledMidGet_LosesOnlyThatItemAndDoesNotWedge()
    {
        using var q = new IpcQueue<int>(1024);
        q.Put(-1);
        var p = Track(IpcProcess.Start(QueueChildTargets.TakeAndHang, q, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never took");
        p.Kill();
        JoinOrFail(p);
        // 1 KiB ring, 32 bytes a record: this wraps the ring many times over the dead consumer's record.
        for (int i = 0; i < 1000; i++)
        {
            q.Put(i, TimeSpan.FromSeconds(10));
            Assert.That(q.Get(Long), Is.EqualTo(i));
        }
        for (int i = 0; i < 30; i++) q.Put(i, TimeSpan.FromSeconds(10));
    }

    [Test]
    public void Get_AfterConsumerKilledMidBigGet_DropsTheRestAndDeliversTheNext()
    {
        using var q = new IpcQueue<byte[]>(4096);
        var producer = new Thread(() =>
        {
            q.Put(new byte[50_000], Long);
            q.Put([7, 7, 7], Long);
        });
        producer.Start();
        var p = Track(IpcProcess.Start(QueueChildTargets.TakeBytesAndHang, q, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never took");
        p.Kill();
        JoinOrFail(p);
        Assert.That(q.Get(Long), Is.EqualTo(new byte[] { 7, 7, 7 }));
        Assert.That(producer.Join(Long), Is.True);
        Assert.That(q.IsEmpty, Is.True);
    }

    [Test]
    public void RandomSigkillsOfProducersAndConsumers_NeverDeliverTornMessagesNorWedgeTheQueue()
    {
        using var q = new IpcQueue<byte[]>(16 * 1024);
        var rng = new Random(12345);
        var children = new List<IpcProcess>();
        int seed = 1;
        IpcProcess StartProducer() => Track(IpcProcess.Start(QueueChildTargets.ProduceChecked, q, seed++));
        IpcProcess StartConsumer() => Track(IpcProcess.Start(QueueChildTargets.Drain, q));
        for (int i = 0; i < 2; i++) { children.Add(StartProducer()); children.Add(StartConsumer()); }
        int good = 0, bad = 0, kills = 0;
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        // Where a child starts slowly (Windows under Wine on a loaded machine), run on until the counts asserted below.
        var limit = DateTime.UtcNow + ChildTimeout;
        var nextKill = DateTime.UtcNow + TimeSpan.FromMilliseconds(300);
        while (DateTime.UtcNow < end || ((kills <= 5 || good <= 10) && DateTime.UtcNow < limit))
        {
            if (q.TryGet(out var m, TimeSpan.FromMilliseconds(20))) { if (QueueChildTargets.IsIntact(m)) good++; else bad++; }
            if (DateTime.UtcNow >= nextKill)
            {
                int victim = rng.Next(children.Count);
                bool wasProducer = victim % 2 == 0;
                children[victim].Kill();
                JoinOrFail(children[victim]);
                kills++;
                children[victim] = wasProducer ? StartProducer() : StartConsumer();
                nextKill = DateTime.UtcNow + TimeSpan.FromMilliseconds(rng.Next(50, 300));
            }
        }
        foreach (var c in children) { c.Kill(); JoinOrFail(c); }
        while (q.TryGet(out var m, TimeSpan.FromMilliseconds(500))) { if (QueueChildTargets.IsIntact(m)) good++; else bad++; }

        TestContext.Out.WriteLine($"{good} intact messages, {bad} torn, {kills} SIGKILLs");
        Assert.That(bad, Is.EqualTo(0), "torn messages delivered");
        Assert.That(kills, Is.GreaterThan(5));
        Assert.That(good, Is.GreaterThan(10));
        var probe = QueueChildTargets.CheckedMessage(42, 40_000);
        var put = Task.Run(() => q.Put(probe, TimeSpan.FromSeconds(10))); // larger than the ring: needs a concurrent Get
        Assert.That(q.Get(TimeSpan.FromSeconds(10)), Is.EqualTo(probe), "the queue still works after the kills");
        Assert.That(put.Wait(TimeSpan.FromSeconds(10)), Is.True);
    }

    [Test]
    public void Attach_WrongItemType_ThrowsMismatch()
    {
        using var q = new IpcQueue<int>();
        Assert.Throws<IpcSegmentMismatchException>(() => IpcQueue<string>.Attach(q.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => IpcSimpleQueue<int>.Attach(q.Name));
        using var same = IpcQueue<int>.Attach(q.Name);
        same.Put(4);
        Assert.That(q.Get(Long), Is.EqualTo(4));
    }

    [Test]
    public void UseAfterDispose_ThrowsObjectDisposed()
    {
        var q = new IpcQueue<int>();
        q.Dispose();
        Assert.Throws<ObjectDisposedException>(() => q.Put(1));
        Assert.Throws<ObjectDisposedException>(() => q.Get());
        Assert.Throws<ObjectDisposedException>(() => _ = q.Count);
    }

    [Test]
    public void Put_SerializerFails_ThrowsAndEnqueuesNothing()
    {
        using var q = new IpcQueue<Unserializable>();
        Assert.Throws<IpcSerializationException>(() => q.Put(new Unserializable { Fail = true }));
        Assert.That(q.IsEmpty, Is.True);
        q.Put(new Unserializable());
        Assert.That(q.Count, Is.EqualTo(1));
    }

    [Test]
    public void JoinableQueue_JoinReturnsWhenWorkerMarkedEveryTaskDone()
    {
        using var q = Multiprocessing.JoinableQueue<int>();
        for (int i = 0; i < 10; i++) q.Put(i);
        Assert.That(q.Join(TimeSpan.FromMilliseconds(50)), Is.False);
        var p = Track(IpcProcess.Start(QueueChildTargets.Work, q, 10));
        Assert.That(q.Join(Long), Is.True);
        Assert.That(q.UnfinishedTasks, Is.EqualTo(0));
        Assert.Throws<InvalidOperationException>(() => q.TaskDone());
        JoinOrFail(p);
    }

    [Test]
    public void SimpleQueue_CrossProcess_EchoesThenEndsOnClose()
    {
        using var input = Multiprocessing.SimpleQueue<int>();
        using var output = Multiprocessing.SimpleQueue<int>();
        var p = Track(IpcProcess.Start(QueueChildTargets.SimpleEcho, input, output));
        // SimpleQueue has no timeouts (neither has Python's): bound the exchange from outside.
        var exchange = Task.Run(() =>
        {
            for (int i = 0; i < 100; i++) input.Put(i);
            return Enumerable.Range(0, 100).Select(_ => output.Get(Long)).ToList();
        });
        Assert.That(exchange.Wait(Long), Is.True, "echo did not complete");
        Assert.That(exchange.Result, Is.EqualTo(Enumerable.Range(0, 100).Select(i => i * 2)));
        input.Close();
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(output.IsEmpty, Is.True);
    }
}
