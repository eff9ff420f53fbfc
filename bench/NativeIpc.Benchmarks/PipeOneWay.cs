using System.Diagnostics;

namespace NativeIpc.Benchmarks;

/// <summary>Pipe one-way throughput for quick before/after runs: 64 MiB in messages of <c>size</c> bytes to a child
/// that counts them (<see cref="PipeBenchmarks.Sink"/>); prints MB/s of each of <c>rounds</c> batches. Run with
/// <c>pipe-oneway [size] [rounds]</c>.</summary>
public static class PipeOneWay
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public static void Measure(int size, int rounds)
    {
        long messages = PipeBenchmarks.OneWayBytes / size;
        var (mine, theirs) = Connection.CreatePipe(capacityBytes: 4 << 20);
        using var child = IpcProcess.Start(PipeBenchmarks.Sink, theirs, messages * size);
        theirs.Close();
        var payload = new byte[size];
        payload[0] = 1;
        for (int r = 0; r <= rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (long i = 0; i < messages; i++) mine.SendBytes(payload);
            if (mine.Recv<long>(Wait) != messages) throw new InvalidOperationException("the sink did not see every message");
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (r > 0) Console.WriteLine($"pipe one-way {size} B: {messages * size / s / 1e6:F0} MB/s");
        }
        mine.SendBytes([0]);
        child.Join(Wait);
        mine.Dispose();
        theirs.Dispose();
    }
}
