using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>queue-2to2-8B (and queue-1p1c/4to4/8to8-8B: k of each): k producer children put n/k longs each on one
/// <c>IpcQueue&lt;long&gt;</c>, k consumer children get them until they take an end marker (one per producer, as
/// Python's None). Timed from "go" (the
/// producers' command) to the later of the consumers' last gets. Warm children serve every round; each child
/// has its own command queue, so a fast consumer cannot steal the other's end marker of the next round.</summary>
internal sealed class QueueTwoToTwo(string name, int k) : IWorkload
{
    private const long End = -1;

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        int half = settings.CountOf(Name) / k;
        int rounds = settings.Repeats + 1;
        using var data = new IpcQueue<long>();
        using var reports = new IpcQueue<ConsumerReport>(4096);
        var produce = Enumerable.Range(0, k).Select(_ => new IpcQueue<long>(4096)).ToArray();
        var consume = Enumerable.Range(0, k).Select(_ => new IpcQueue<long>(4096)).ToArray();
        try
        {
            using var children = new Children();
            for (int j = 0; j < k; j++) children.Add(IpcProcess.Start(Consume, data, consume[j], reports, rounds));
            for (int j = 0; j < k; j++) children.Add(IpcProcess.Start(Produce, data, produce[j], rounds, j));
            var m = Sampler.Repeat(settings, () =>
            {
                foreach (var c in consume) c.Put(0);
                long t0 = Stopwatch.GetTimestamp();
                foreach (var p in produce) p.Put(half);
                long count = 0, sum = 0, last = 0;
                for (int j = 0; j < k; j++)
                {
                    var r = reports.Get(Children.Limit);
                    count += r.Count;
                    sum += r.Sum;
                    last = Math.Max(last, r.LastTicks);
                }
                long n = (long)k * half;
                VerificationException.Check(count == n && sum == n * (n - 1) / 2, $"got {count} items, index sum {sum}");
                return n / Sampler.Seconds(t0, last);
            });
            children.JoinAll();
            return m;
        }
        finally
        {
            foreach (var q in produce.Concat(consume)) q.Dispose();
        }
    }

    /// <summary>Producer <paramref name="j"/> puts indices j·half … (j+1)·half − 1, then its end marker.</summary>
    private static void Produce(IpcQueue<long> data, IpcQueue<long> commands, int rounds, int j)
    {
        for (int r = 0; r < rounds; r++)
        {
            long half = commands.Get(Children.Limit);
            for (long i = j * half; i < (j + 1) * half; i++) data.Put(i);
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
