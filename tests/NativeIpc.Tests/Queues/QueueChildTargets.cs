using System.Buffers;

namespace NativeIpc.Tests.Queues;

/// <summary>What one consumer saw: which consumer, and the item.</summary>
public struct Seen { public int Consumer; public long Item; }

/// <summary>Targets the queue tests run in child processes.</summary>
public static class QueueChildTargets
{
    /// <summary>Puts <c>producer &lt;&lt; 32 | i</c> for i in 0..count.</summary>
    public static void Produce(IpcQueue<long> q, int producer, int count)
    {
        for (int i = 0; i < count; i++) q.Put(((long)producer << 32) | (uint)i, TimeSpan.FromSeconds(30));
    }

    /// <summary>Item a consumer reports first, once it is about to take: <see cref="Consume"/>'s "ready".</summary>
    public const long ReadyItem = -1;

    /// <summary>Reports <see cref="ReadyItem"/>, then gets until the stream ends, reporting every item with its consumer
    /// id. Every 5,000th item it pauses a millisecond, so the other consumers get a share even where one alone could
    /// keep up (one consumer once took all 60,000 items: the others were still starting).</summary>
    public static void Consume(IpcQueue<long> q, IpcQueue<Seen> results, int consumer)
    {
        q.Close(); // only consumes
        results.Put(new Seen { Consumer = consumer, Item = ReadyItem }, TimeSpan.FromSeconds(30));
        int n = 0;
        foreach (var item in q.GetConsumingEnumerable())
        {
            results.Put(new Seen { Consumer = consumer, Item = item }, TimeSpan.FromSeconds(30));
            if (++n % 5000 == 0) Thread.Sleep(1);
        }
    }

    /// <summary>Puts big byte arrays whose content is derived from their index.</summary>
    public static void PutBig(IpcQueue<byte[]> q, int count, int size)
    {
        for (int i = 0; i < count; i++) q.Put(BigPayload(i, size), TimeSpan.FromSeconds(30));
    }

    public static byte[] BigPayload(int index, int size)
    {
        var b = new byte[size];
        for (int k = 0; k < size; k++) b[k] = (byte)(k * 31 + index * 7 + (k >> 8));
        return b;
    }

    /// <summary>Puts <paramref name="count"/> messages of <see cref="HeaderLookalike"/>, then lets go of the queue.</summary>
    public static void PutLookalikes(IpcQueue<byte[]> q, int producer, int count)
    {
        for (int i = 0; i < count; i++) q.Put(HeaderLookalike(producer, i), TimeSpan.FromSeconds(30));
        q.Close();
    }

    /// <summary>A message of producer <paramref name="producer"/>'s <paramref name="index"/>th put whose every 4-byte word
    /// looks like a Published Whole record's state word, in a length that moves record boundaries from lap to lap.</summary>
    public static byte[] HeaderLookalike(int producer, int index)
    {
        var b = new byte[(index * 37 + producer * 11) % 200 + 1];
        for (int j = 0; j + 4 <= b.Length; j += 4)
            BitConverter.TryWriteBytes(b.AsSpan(j), (int)RecordStatus.Published | ((producer * 7919 + index + j) & 0xFFFF) << 16);
        if (b.Length % 4 != 0) b[^1] = (byte)producer;
        return b;
    }

    public static void PutStrings(IpcQueue<string> q, int count)
    {
        for (int i = 0; i < count; i++) q.Put($"message {i} — ünïcødé " + new string('x', i * 100), TimeSpan.FromSeconds(30));
    }

    public static void EchoBytes(IpcQueue<byte[]> input, IpcQueue<byte[]> output)
    {
        input.Close(); // only consumes input
        foreach (var b in input.GetConsumingEnumerable()) output.Put(b, TimeSpan.FromSeconds(30));
        output.Close();
    }

    /// <summary>Claims a record for <paramref name="value"/>, tells the test, and hangs before publishing it.</summary>
    public static void ClaimAndHang(IpcQueue<int> q, int value, string readyFile)
    {
        QueueRing.AfterClaimHook = () => { File.WriteAllText(readyFile, "claimed"); Thread.Sleep(Timeout.Infinite); };
        q.Put(value);
    }

    /// <summary>Claims a big (chunked) message, tells the test after its first chunk, and hangs.</summary>
    public static void ClaimBigAndHang(IpcQueue<byte[]> q, int size, string readyFile)
    {
        QueueRing.AfterClaimHook = () => { File.WriteAllText(readyFile, "claimed"); Thread.Sleep(Timeout.Infinite); };
        q.Put(new byte[size]);
    }

    /// <summary>Takes one item (consumed), tells the test, and stays alive without taking more.</summary>
    public static void TakeOneAndWait(IpcQueue<int> q, string readyFile)
    {
        q.Get(TimeSpan.FromSeconds(30));
        File.WriteAllText(readyFile, "taken");
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>Takes one item, tells the test, and hangs before marking it consumed.</summary>
    public static void TakeAndHang(IpcQueue<int> q, string readyFile)
    {
        QueueRing.AfterTakeHook = () => { File.WriteAllText(readyFile, "taken"); Thread.Sleep(Timeout.Infinite); };
        q.Get(TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts taking a big message, tells the test after its first chunk, and hangs holding the take claim.</summary>
    public static void TakeBytesAndHang(IpcQueue<byte[]> q, string readyFile)
    {
        QueueRing.AfterTakeHook = () => { File.WriteAllText(readyFile, "taken"); Thread.Sleep(Timeout.Infinite); };
        q.Get(TimeSpan.FromSeconds(30));
    }

    /// <summary>Puts self-checking messages of varied sizes (some larger than a small ring) until killed or closed.</summary>
    public static void ProduceChecked(IpcQueue<byte[]> q, int seed)
    {
        var rng = new Random(seed);
        try
        {
            for (int i = 0; ; i++)
            {
                int size = rng.Next(4) == 0 ? rng.Next(20_000, 60_000) : rng.Next(8, 2_000);
                q.Put(CheckedMessage(seed * 1_000_000 + i, size), TimeSpan.FromSeconds(30));
            }
        }
        catch (IpcQueueClosedException) { }
    }

    /// <summary>Gets and discards until killed or the stream ends (a consumer to be killed at random points).</summary>
    public static void Drain(IpcQueue<byte[]> q)
    {
        q.Close(); // only consumes
        foreach (var _ in q.GetConsumingEnumerable()) { }
    }

    public static byte[] CheckedMessage(int id, int size)
    {
        var b = new byte[size];
        BitConverter.TryWriteBytes(b, id);
        for (int k = 4; k < size; k++) b[k] = (byte)(id * 13 + k * 7 + 1);
        return b;
    }

    public static bool IsIntact(byte[] b)
    {
        if (b.Length < 8) return false;
        int id = BitConverter.ToInt32(b);
        for (int k = 4; k < b.Length; k++) if (b[k] != (byte)(id * 13 + k * 7 + 1)) return false;
        return true;
    }

    /// <summary>Takes items and marks each done (JoinableQueue worker).</summary>
    public static void Work(IpcJoinableQueue<int> q, int count)
    {
        for (int i = 0; i < count; i++)
        {
            q.Get(TimeSpan.FromSeconds(30));
            q.TaskDone();
        }
    }

    public static void SimpleEcho(IpcSimpleQueue<int> input, IpcSimpleQueue<int> output)
    {
        input.Close(); // only consumes input
        while (true)
        {
            int v;
            try { v = input.Get(TimeSpan.FromSeconds(60)); } catch (IpcQueueClosedException) { break; }
            output.Put(v * 2);
        }
    }

    public static void CompleteQueue(IpcQueue<int> q) => q.Complete();

    /// <summary>Puts <paramref name="count"/> items from <paramref name="first"/> on, then closes its hold.</summary>
    public static void PutRangeAndClose(IpcQueue<int> q, int first, int count)
    {
        for (int i = first; i < first + count; i++) q.Put(i, TimeSpan.FromSeconds(30));
        q.Close();
        try { q.Put(-1); } catch (IpcQueueClosedException) { return; }
        Environment.Exit(3); // a put after Close() went through
    }

    /// <summary>Puts <paramref name="count"/> items, tells the test, and hangs holding the queue until killed.</summary>
    public static void PutAndHang(IpcQueue<int> q, int count, string readyFile)
    {
        for (int i = 0; i < count; i++) q.Put(i, TimeSpan.FromSeconds(30));
        File.WriteAllText(readyFile, "put");
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>Only consumes: says "waiting", blocks in a get (async or not), and reports how it ended: "got N" or the
    /// exception's type name.</summary>
    public static void GetReportingOutcome(IpcQueue<int> q, IpcQueue<string> report, bool useAsync)
    {
        q.Close();
        report.Put("waiting", TimeSpan.FromSeconds(30));
        string outcome;
        try
        {
            int item = useAsync
                ? q.GetAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult()
                : q.Get(TimeSpan.FromSeconds(30));
            outcome = "got " + item;
        }
        catch (Exception e) { outcome = e.GetType().Name; }
        report.Put(outcome, TimeSpan.FromSeconds(30));
    }

    /// <summary>Reports how a put ended: "put" or the exception's type name.</summary>
    public static void PutReportingOutcome(IpcQueue<int> q, IpcQueue<string> report)
    {
        string outcome;
        try { q.Put(7, TimeSpan.FromSeconds(30)); outcome = "put"; }
        catch (Exception e) { outcome = e.GetType().Name; }
        report.Put(outcome, TimeSpan.FromSeconds(30));
    }

    /// <summary>Shuts the queue down (Queue.shutdown) from this process.</summary>
    public static void Shutdown(IpcQueue<int> q, bool immediate) => q.Shutdown(immediate);

    /// <summary>Shuts the joinable queue down from this process.</summary>
    public static void ShutdownJoinable(IpcJoinableQueue<int> q, bool immediate) => q.Shutdown(immediate);
}

/// <summary>A type whose serializer fails: puts of it must throw and enqueue nothing.</summary>
[IpcSerializer(typeof(FailingSerializer))]
public sealed class Unserializable { public bool Fail { get; init; } }

public sealed class FailingSerializer : IIpcSerializer<Unserializable>
{
    public void Serialize(Unserializable value, IBufferWriter<byte> destination)
    {
        destination.Write("ok"u8);
        if (value.Fail) throw new FormatException("refusing to serialize");
    }

    public Unserializable Deserialize(ReadOnlySpan<byte> source) => new();
}

/// <summary>Children for the kill tests of bounded and joinable queues.</summary>
public static class QueueKillTargets
{
    /// <summary>Claims a record in a joinable queue, tells the test, and hangs before publishing it.</summary>
    public static void ClaimAndHangJoinable(IpcJoinableQueue<int> q, int value, string readyFile)
    {
        QueueRing.AfterClaimHook = () => { File.WriteAllText(readyFile, "claimed"); Thread.Sleep(Timeout.Infinite); };
        q.Put(value);
    }

    /// <summary>Tells the test, then puts into a full joinable queue (blocking for room until killed).</summary>
    public static void PutIntoFullJoinable(IpcJoinableQueue<int> q, string readyFile)
    {
        File.WriteAllText(readyFile, "putting");
        q.Put(1, TimeSpan.FromSeconds(60));
    }

    /// <summary>Claims a big (chunked) message in a joinable queue, tells the test after its first chunk, and hangs.</summary>
    public static void ClaimBigAndHangJoinable(IpcJoinableQueue<byte[]> q, int size, string readyFile)
    {
        QueueRing.AfterClaimHook = () => { File.WriteAllText(readyFile, "claimed"); Thread.Sleep(Timeout.Infinite); };
        q.Put(new byte[size]);
    }
}
