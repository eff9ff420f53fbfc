using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>queue-2to2-8B: two producer children put n/2 longs each on one <c>IpcQueue&lt;long&gt;</c>, two consumer
/// children get them until they take an end marker (one per producer, as Python's None). Timed from "go" (the
/// producers' command) to the later of the consumers' last gets. Warm children serve every round; each child
/// has its own command queue, so a fast consumer cannot steal the other's end marker of the next round.</summary>
internal sealed class QueueTwoToTwo : IWorkload
{
    private const long End = -1;

    public string Name => "queue-2to2-8B";

    public Measurement Run(Settings settings)
    {
        int half = settings.CountOf(Name) / 2;
        int rounds = settings.Repeats + 1;
        using var data = new IpcQueue<long>();
        using var reports = new IpcQueue<ConsumerReport>(4096);
        var produce = new[] { new IpcQueue<long>(4096), new IpcQueue<long>(4096) };
        var consume = new[] { new IpcQueue<long>(4096), new IpcQueue<long>(4096) };
        try
        {
            using var children = new Children();
            for (int k = 0; k < 2; k++) children.Add(IpcProcess.Start(Consume, data, consume[k], reports, rounds));
            for (int k = 0; k < 2; k++) children.Add(IpcProcess.Start(Produce, data, produce[k], rounds, k));
            var m = Sampler.Repeat(settings, () =>
            {
                foreach (var c in consume) c.Put(0);
                long t0 = Stopwatch.GetTimestamp();
                foreach (var p in produce) p.Put(half);
                var a = reports.Get(Children.Limit);
                var b = reports.Get(Children.Limit);
                long n = 2L * half, count = a.Count + b.Count, sum = a.Sum + b.Sum;
                VerificationException.Check(count == n && sum == n * (n - 1) / 2, $"got {count} items, index sum {sum}");
                return n / Sampler.Seconds(t0, Math.Max(a.LastTicks, b.LastTicks));
            });
            children.JoinAll();
            return m;
        }
        finally
        {
            foreach (var q in produce.Concat(consume)) q.Dispose();
        }
    }

    /// <summary>Producer <paramref name="k"/> puts indices k·half … (k+1)·half − 1, then its end marker.</summary>
    private static void Produce(IpcQueue<long> data, IpcQueue<long> commands, int rounds, int k)
    {
        for (int r = 0; r < rounds; r++)
        {
            long half = commands.Get(Children.Limit);
            for (long i = k * half; i < (k + 1) * half; i++) data.Put(i);
            data.Put(End);
        }
    }

    private static void Consume(IpcQueue<long> data, IpcQueue<long> commands, IpcQueue<ConsumerReport> reports, int rounds)
    {
        for (int r = 0; r < rounds; r++)
        {
            commands.Get(Children.Limit);
            long count = 0, sum = 0, last = 0;
            for (long v; (v = data.Get(Children.Limit)) != End;)
            {
                count++;
                sum += v;
                last = Stopwatch.GetTimestamp();
            }
            reports.Put(new ConsumerReport(count, sum, last));
        }
    }
}
