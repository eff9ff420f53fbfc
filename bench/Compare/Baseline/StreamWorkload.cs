using System.Buffers.Binary;
using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Baseline;

/// <summary>A queue-like or pipe workload of the .NET baseline, over one <see cref="ITransport"/>.
/// One child serves the warm-up and all repeats (one round each), so process start is never timed.</summary>
internal sealed class StreamWorkload(ITransport transport, string name, StreamWorkload.Kind kind) : IWorkload
{
    public enum Kind
    {
        /// <summary>Each message read into a new array (a queue's get returns a new object); figure: msg/s.</summary>
        Queue,
        /// <summary>Each message read into one reused buffer; figure: MB/s of payload.</summary>
        OneWay,
        /// <summary>8-byte message and its echo; figure: median round trip in µs.</summary>
        PingPongMedian,
        /// <summary>As <see cref="PingPongMedian"/>; figure: 99th percentile, of the same runs when the median row ran.</summary>
        PingPongP99,
    }

    // Median and p99 are read from the same round trips: separate runs land on different vCPU placements
    // (same vCPU ~3 µs, different ~50 µs here), and a p99 below its median would read as nonsense.
    private static readonly Dictionary<string, List<double>> s_p99ByTransport = [];

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        var spec = WorkloadCatalog.Get(name)!;
        if (kind == Kind.PingPongP99 && s_p99ByTransport.Remove(transport.Name, out var p99) && p99.Count == settings.Repeats + 1)
            return Measurement.Of(p99.Skip(1).ToArray());
        int count = settings.CountOf(name);
        bool pingPong = kind is Kind.PingPongMedian or Kind.PingPongP99;
        var p99s = new List<double>();
        if (kind == Kind.PingPongMedian) s_p99ByTransport[transport.Name] = p99s;
        using var child = transport.Start(pingPong ? StreamChild.Echo : StreamChild.Send, settings.Repeats + 1, count, spec.MessageBytes);
        try
        {
            return Sampler.Repeat(settings, kind switch
            {
                Kind.Queue => () => QueueRound(child, count, spec.MessageBytes),
                Kind.OneWay => () => OneWayRound(child, count, spec.MessageBytes),
                Kind.PingPongMedian => () => PingPongRound(child, count, 0.5, p99s),
                _ => () => PingPongRound(child, count, 0.99, p99s),
            });
        }
        catch
        {
            child.Abort();
            throw;
        }
    }

    private static double QueueRound(ChildConnection c, int count, int size)
    {
        VerificationException.Check(Framing.ReadNew(c.FromChild).Length == 0, "no ready message");
        long t0 = Stopwatch.GetTimestamp();
        long sum = 0, bytes = 0;
        for (int i = 0; i < count; i++)
        {
            var m = Framing.ReadNew(c.FromChild);
            bytes += m.Length;
            sum += BinaryPrimitives.ReadInt64LittleEndian(m);
        }
        double s = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        Verify(count, size, sum, bytes);
        return count / s;
    }

    private static double OneWayRound(ChildConnection c, int count, int size)
    {
        VerificationException.Check(Framing.ReadNew(c.FromChild).Length == 0, "no ready message");
        var buffer = new byte[size];
        long t0 = Stopwatch.GetTimestamp();
        long sum = 0, bytes = 0;
        for (int i = 0; i < count; i++)
        {
            bytes += Framing.ReadInto(c.FromChild, ref buffer);
            sum += BinaryPrimitives.ReadInt64LittleEndian(buffer);
        }
        double s = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        Verify(count, size, sum, bytes);
        return bytes / s / 1e6;
    }

    private static double PingPongRound(ChildConnection c, int count, double percentile, List<double> p99s)
    {
        var rtt = new double[count];
        var message = new byte[8];
        var reply = new byte[8];
        var scratch = new byte[64];
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(message, i);
            long t0 = Stopwatch.GetTimestamp();
            Framing.Write(c.ToChild, message, scratch);
            int n = Framing.ReadInto(c.FromChild, ref reply);
            rtt[i] = Sampler.Seconds(t0, Stopwatch.GetTimestamp()) * 1e6;
            VerificationException.Check(n == 8 && BinaryPrimitives.ReadInt64LittleEndian(reply) == i, "echo mismatch");
        }
        Array.Sort(rtt);
        p99s.Add(rtt[Math.Min(count - 1, (int)(count * 0.99))]);
        return rtt[Math.Min(count - 1, (int)(count * percentile))];
    }

    private static void Verify(int count, int size, long sum, long bytes)
        => VerificationException.Check(sum == (long)count * (count - 1) / 2 && bytes == (long)count * size,
            $"received {bytes} bytes, index sum {sum}; expected {(long)count * size} and {(long)count * (count - 1) / 2}");
}
