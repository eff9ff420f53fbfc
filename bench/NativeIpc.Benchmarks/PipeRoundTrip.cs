using System.Diagnostics;

namespace NativeIpc.Benchmarks;

/// <summary>Pipe ping-pong timed per round trip, for quick before/after runs and for <c>perf</c> (a steady loop with no
/// harness around it): a child echoes 8-byte messages (<see cref="PipeBenchmarks.Echo"/>); prints the median and the
/// 99th percentile of each of <c>rounds</c> batches of 100k round trips. Run with <c>pipe-roundtrip [rounds]</c>.</summary>
public static class PipeRoundTrip
{
    private const int Trips = 100_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public static void Measure(int rounds)
    {
        var (mine, theirs) = Connection.CreatePipe(capacityBytes: 4 << 20);
        using var child = IpcProcess.Start(PipeBenchmarks.Echo, theirs);
        theirs.Close();
        var payload = new byte[8];
        var back = new byte[8];
        var ticks = new long[Trips];
        for (int r = 0; r <= rounds; r++)
        {
            for (int i = 0; i < Trips; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                mine.SendBytes(payload);
                if (mine.RecvBytesInto(back, Wait) != payload.Length) throw new InvalidOperationException("short echo");
                ticks[i] = Stopwatch.GetTimestamp() - t0;
            }
            if (r == 0) continue; // warm-up
            Array.Sort(ticks);
            double ns = 1e9 / Stopwatch.Frequency;
            Console.WriteLine($"pipe ping-pong 8 B: median {ticks[Trips / 2] * ns:F0} ns, p99 {ticks[Trips * 99 / 100] * ns:F0} ns");
        }
        mine.SendBytes([0]);
        child.Join(Wait);
        mine.Dispose();
        theirs.Dispose();
    }
}
