using C = NativeIpc.Chaos.ControlLayout;

namespace NativeIpc.Chaos;

/// <summary>Producers and consumers on one queue, both SIGKILLed at random and replaced. Every producer incarnation
/// numbers its items 0, 1, 2, ... and publishes in <c>acked[inc]</c> how many of its puts returned; consumers count
/// each whole item in a shared ledger (one slot per incarnation and sequence) the moment they hold it.</summary>
/// <remarks>What the end-of-episode check allows (the README's "When a process dies" table):
/// <list type="bullet">
/// <item>per producer incarnation, every item below <c>acked</c> is delivered exactly once, except that each killed
///   consumer may lose at most one item (in total, over all producers: missing ≤ consumer kills);</item>
/// <item>a killed producer's in-flight item (sequence == <c>acked</c>) may be delivered once or not at all; nothing
///   past it exists;</item>
/// <item>no item is torn or delivered twice; after the drain the queue is empty and <c>Count</c> is 0;</item>
/// <item>bounded: after the drain exactly <c>maxItems</c> puts fit and one more does not;</item>
/// <item>joinable: after every delivered item is marked done, at most one unfinished task per killed consumer
///   remains (the item it held), and <c>Join</c> returns once those are marked done too.</item>
/// </list></remarks>
internal sealed class QueueScenario(QueueKind kind) : Scenario
{
    private const int MaxIncarnations = 24;
    private const int MaxSequence = 6000;
    private const int MaxItems = 8;
    private const int Producers = 2;
    private const int Consumers = 2;

    public override string Name => kind switch { QueueKind.Bounded => "queue-bounded", QueueKind.Joinable => "joinable-queue", _ => "queue" };

    public override void Run(Episode e, TimeSpan length)
    {
        using IpcQueue<byte[]> q = kind switch
        {
            QueueKind.Bounded => new IpcQueue<byte[]>(64 * 1024, MaxItems),
            QueueKind.Joinable => new IpcJoinableQueue<byte[]>(64 * 1024),
            _ => new IpcQueue<byte[]>(256 * 1024),
        };
        using var ledger = SharedArray<int>.Create(MaxIncarnations * MaxSequence);
        using var acked = SharedArray<long>.Create(MaxIncarnations);
        using var ctl = SharedArray<long>.Create(C.Length);
        int bigEvery = kind == QueueKind.Unbounded ? 500 : 0; // items larger than the ring, in the unbounded queue only
        var killedInc = new bool[MaxIncarnations];
        int nextInc = 0;
        int consumerKills = 0;

        IpcProcess StartProducer(int inc) => q is IpcJoinableQueue<byte[]> jq
            ? e.Start(ProduceJoinable, jq, acked, ctl, inc, bigEvery)
            : e.Start(Produce, q, acked, ctl, inc, bigEvery);
        IpcProcess StartConsumer() => q is IpcJoinableQueue<byte[]> jq
            ? e.Start(ConsumeJoinable, jq, ledger, ctl)
            : e.Start(Consume, q, ledger, ctl);

        var producers = new (IpcProcess? P, int Inc)[Producers];
        for (int i = 0; i < Producers; i++) { producers[i] = (StartProducer(nextInc), nextInc); nextInc++; }
        var consumers = new IpcProcess[Consumers];
        for (int i = 0; i < Consumers; i++) consumers[i] = StartConsumer();

        var end = DateTime.UtcNow + length;
        long progress = 0;
        while (DateTime.UtcNow < end)
        {
            e.Pause(20, 300);
            e.AwaitProgress(ctl, ref progress);
            int victim = e.Rng.Next(Producers + Consumers);
            if (victim < Producers)
            {
                var (p, inc) = producers[victim];
                if (p is null) continue;
                if (p.IsAlive) { e.Kill(p); killedInc[inc] = true; }
                else e.CheckExit(p, "producer");
                p.Dispose();
                producers[victim] = nextInc < MaxIncarnations ? (StartProducer(nextInc), nextInc++) : (null, -1);
            }
            else
            {
                var c = consumers[victim - Producers];
                if (c.IsAlive) { e.Kill(c); consumerKills++; }
                else e.CheckExit(c, "consumer");
                c.Dispose();
                consumers[victim - Producers] = StartConsumer();
            }
        }

        // Producers first (consumers keep taking, so a producer blocked on a full queue can finish), then consumers.
        ctl[C.Stop] = 1;
        foreach (var (p, _) in producers) if (p is not null) e.CheckExit(p, "producer");
        ctl[C.StopConsumers] = 1;
        foreach (var c in consumers) e.CheckExit(c, "consumer");

        var jqueue = q as IpcJoinableQueue<byte[]>;
        while (q.TryGet(out var item, TimeSpan.FromMilliseconds(200)))
        {
            Record(item, ledger, ctl);
            jqueue?.TaskDone();
        }

        Collect(e, ctl);
        CheckLedger(e, ledger, acked, killedInc, nextInc, consumerKills);
        if (q.Count != 0 || !q.IsEmpty) e.Violation($"after the drain the queue says Count={q.Count}, IsEmpty={q.IsEmpty}");
        if (kind == QueueKind.Bounded) CheckBound(e, q);
        if (jqueue is not null) CheckJoin(e, jqueue, consumerKills);
        q.Close();
    }

    private static void CheckLedger(Episode e, SharedArray<int> ledger, SharedArray<long> acked, bool[] killed, int incarnations, int consumerKills)
    {
        long missing = 0;
        string? firstMissing = null;
        for (int inc = 0; inc < incarnations; inc++)
        {
            long a = acked[inc];
            for (int seq = 0; seq < MaxSequence; seq++)
            {
                int n = ledger[inc * MaxSequence + seq];
                if (n > 1) e.Violation($"item (inc {inc}, seq {seq}) delivered {n} times");
                if (seq < a)
                {
                    if (n == 0) { missing++; firstMissing ??= $"(inc {inc}, seq {seq}, acked {a}, killed {killed[inc]})"; }
                }
                else if (n != 0 && !(seq == a && killed[inc]))
                    e.Violation($"item (inc {inc}, seq {seq}) delivered, but its producer's last put was seq {a - 1} (killed: {killed[inc]})");
            }
        }
        if (missing > consumerKills)
            e.Violation($"{missing} acknowledged item(s) never delivered (first {firstMissing}), but only {consumerKills} consumer(s) were killed");
    }

    private static void CheckBound(Episode e, IpcQueue<byte[]> q)
    {
        var small = ChaosItem.Make(MaxIncarnations, 0, 0);
        int fitted = 0;
        while (fitted <= MaxItems && q.TryPut(small)) fitted++;
        if (fitted != MaxItems || q.Count != MaxItems)
            e.Violation($"an empty queue of maxItems {MaxItems} took {fitted} puts (Count={q.Count}, IsFull={q.IsFull})");
        for (int i = 0; i < fitted; i++)
            if (!q.TryGet(out _, TimeSpan.FromSeconds(5))) { e.Violation($"item {i} of {fitted} just put could not be taken back"); break; }
    }

    private static void CheckJoin(Episode e, IpcJoinableQueue<byte[]> q, int consumerKills)
    {
        int unfinished = q.UnfinishedTasks;
        if (unfinished < 0 || unfinished > consumerKills)
            e.Violation($"after every delivered item was marked done, UnfinishedTasks={unfinished}, but only {consumerKills} consumer(s) were killed");
        for (int i = 0; i < unfinished; i++) q.TaskDone();
        if (!q.Join(Limits.Moments)) e.Hang($"Join did not return with UnfinishedTasks={q.UnfinishedTasks}");
    }

    private static void Record(byte[] item, SharedArray<int> ledger, SharedArray<long> ctl)
    {
        if (!ChaosItem.TryRead(item, out int inc, out long seq)) Interlocked.Increment(ref ctl[C.Torn]);
        else if ((uint)inc >= MaxIncarnations || (ulong)seq >= MaxSequence) Interlocked.Increment(ref ctl[C.OutOfRange]);
        else
        {
            Interlocked.Increment(ref ledger[inc * MaxSequence + (int)seq]);
            Interlocked.Increment(ref ctl[C.Done]);
        }
    }

    // ------------------------------------------------------------------ participants (run in children)

    public static void Produce(IpcQueue<byte[]> q, SharedArray<long> acked, SharedArray<long> ctl, int inc, int bigEvery)
    {
        for (long seq = 0; seq < MaxSequence && !Stopped(ctl); seq++)
        {
            try { q.Put(ChaosItem.Make(inc, seq, ChaosItem.PayloadLength(inc, seq, bigEvery)), Limits.ChildWait); }
            catch (IpcQueueFullException)
            {
                Console.Error.WriteLine($"chaos producer {inc}: Put of seq {seq} found no room for {Limits.ChildWait.TotalSeconds} s (Count={q.Count}, IsFull={q.IsFull})");
                Environment.Exit(ExitCodes.Hang);
            }
            Volatile.Write(ref acked[inc], seq + 1);
        }
    }

    public static void ProduceJoinable(IpcJoinableQueue<byte[]> q, SharedArray<long> acked, SharedArray<long> ctl, int inc, int bigEvery)
        => Produce(q, acked, ctl, inc, bigEvery);

    public static void Consume(IpcQueue<byte[]> q, SharedArray<int> ledger, SharedArray<long> ctl)
    {
        while (!Stopped(ctl, C.StopConsumers))
            if (q.TryGet(out var item, TimeSpan.FromMilliseconds(100))) Record(item, ledger, ctl);
    }

    public static void ConsumeJoinable(IpcJoinableQueue<byte[]> q, SharedArray<int> ledger, SharedArray<long> ctl)
    {
        while (!Stopped(ctl, C.StopConsumers))
        {
            if (!q.TryGet(out var item, TimeSpan.FromMilliseconds(100))) continue;
            Record(item, ledger, ctl);
            q.TaskDone();
        }
    }
}
