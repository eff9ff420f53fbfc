using System.Diagnostics;

namespace NativeIpc.Benchmarks;

/// <summary>Queue throughput for quick before/after runs: 1M 8-byte items from one child producer, then from two,
/// to this process (<see cref="QueueBenchmarks.ProduceLongs"/>); prints ns per item of each of <c>rounds</c> batches.
/// Run with <c>queue-rate [rounds]</c>.</summary>
public static class QueueRate
{
    private const int Batch = 1_000_000;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    public static void Measure(int rounds)
    {
        foreach (int producers in new[] { 1, 2 })
        {
            using var data = new IpcQueue<long>();
            var commands = Enumerable.Range(0, producers).Select(_ => new IpcQueue<long>(4096)).ToArray();
            var children = commands.Select(c => IpcProcess.Start(QueueBenchmarks.ProduceLongs, data, c)).ToArray();
            for (int r = 0; r <= rounds; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                foreach (var c in commands) c.Put(Batch / producers);
                long sum = 0;
                for (int i = 0; i < Batch; i++) sum += data.Get(Limit);
                double ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / Batch;
                if (r > 0) Console.WriteLine($"queue {producers}->1 8 B: {ns:F1} ns per item");
            }
            foreach (var c in commands) c.Complete();
            foreach (var child in children) { child.Join(Limit); child.Dispose(); }
            foreach (var c in commands) c.Dispose();
        }
    }
}
