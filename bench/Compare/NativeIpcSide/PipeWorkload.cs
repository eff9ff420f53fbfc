using System.Buffers.Binary;
using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>pipe-pingpong-median/-p99 and pipe-oneway-*: the rows of README.md over NativeIpc's Connection/Pipe.
/// One child serves the warm-up and every repeat.</summary>
internal sealed class PipeWorkload(string name) : IWorkload
{
    // Median and p99 come from the same round trips when both rows run (as compare.py and the baselines do).
    private static List<double>? s_p99s;

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        var spec = WorkloadCatalog.Get(name)!;
        bool pingPong = name.StartsWith("pipe-pingpong", StringComparison.Ordinal);
        bool median = name == "pipe-pingpong-median";
        if (name == "pipe-pingpong-p99" && s_p99s is { } kept && kept.Count == settings.Repeats + 1)
        {
            s_p99s = null;
            return Measurement.Of(kept.Skip(1).ToArray());
        }
        int n = settings.CountOf(name);
        var p99s = new List<double>();
        if (median) s_p99s = p99s;
        var (end, child) = StartChild(pingPong, settings.Repeats + 1, n, spec.MessageBytes);
        using var children = new Children();
        children.Add(child);
        using (end)
        {
            var m = Sampler.Repeat(settings, pingPong
                ? () => PingPongRound(end, n, median ? 0.5 : 0.99, p99s)
                : () => OneWayRound(end, n, spec.MessageBytes));
            children.JoinAll();
            return m;
        }
    }

    /// <summary>Creates the pipe (one-way unless <paramref name="echo"/>), starts the child with its end, and returns
    /// this process's end.</summary>
    private static (IMessageEnd End, IpcProcess Child) StartChild(bool echo, int rounds, int n, int size)
    {
        var (mine, theirs) = Multiprocessing.Pipe(duplex: echo);
        var child = echo ? IpcProcess.Start(EchoChild, theirs, rounds, n) : IpcProcess.Start(SendChild, theirs, rounds, n, size);
        theirs.Dispose(); // our hold on the child's end: end of stream comes when the child is done
        return (new ConnectionEnd(mine), child);
    }

    private static void EchoChild(Connection c, int rounds, int n) => Echo(new ConnectionEnd(c), rounds, n);

    private static void SendChild(Connection c, int rounds, int n, int size) => Send(new ConnectionEnd(c), rounds, n, size);

    internal sealed class ConnectionEnd(Connection connection) : IMessageEnd
    {
        public void Send(ReadOnlySpan<byte> message) => connection.SendBytes(message);

        public int ReceiveInto(ref byte[] buffer)
        {
            while (true)
            {
                try { return connection.RecvBytesInto(buffer); }
                catch (IpcBufferTooShortException e) { buffer = new byte[e.MessageLength]; }
            }
        }

        public void Dispose() => connection.Dispose();
    }

    internal static double PingPongRound(IMessageEnd end, int n, double percentile, List<double> p99s)
    {
        var rtt = new double[n];
        var message = new byte[8];
        var reply = new byte[8];
        for (int i = 0; i < n; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(message, i);
            long t0 = Stopwatch.GetTimestamp();
            end.Send(message);
            int length = end.ReceiveInto(ref reply);
            rtt[i] = Sampler.Seconds(t0, Stopwatch.GetTimestamp()) * 1e6;
            VerificationException.Check(length == 8 && BinaryPrimitives.ReadInt64LittleEndian(reply) == i, "echo mismatch");
        }
        Array.Sort(rtt);
        p99s.Add(rtt[Math.Min(n - 1, (int)(n * 0.99))]);
        return rtt[Math.Min(n - 1, (int)(n * percentile))];
    }

    internal static double OneWayRound(IMessageEnd end, int n, int size)
    {
        var buffer = new byte[size];
        VerificationException.Check(end.ReceiveInto(ref buffer) == 0, "no ready message");
        long t0 = Stopwatch.GetTimestamp();
        long sum = 0, bytes = 0;
        for (int i = 0; i < n; i++)
        {
            bytes += end.ReceiveInto(ref buffer);
            sum += BinaryPrimitives.ReadInt64LittleEndian(buffer);
        }
        double seconds = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        VerificationException.Check(sum == (long)n * (n - 1) / 2 && bytes == (long)n * size,
            $"received {bytes} bytes, index sum {sum}; expected {(long)n * size} and {(long)n * (n - 1) / 2}");
        return bytes / seconds / 1e6;
    }

    /// <summary>The ping-pong child: echoes every message, <paramref name="rounds"/> × <paramref name="n"/> of them.</summary>
    internal static void Echo(IMessageEnd end, int rounds, int n)
    {
        var buffer = new byte[8];
        for (long i = 0; i < (long)rounds * n; i++) end.Send(buffer.AsSpan(0, end.ReceiveInto(ref buffer)));
    }

    /// <summary>The one-way child: per round an empty "ready" message, then n messages carrying their index.</summary>
    internal static void Send(IMessageEnd end, int rounds, int n, int size)
    {
        var message = new byte[size];
        for (int r = 0; r < rounds; r++)
        {
            end.Send([]);
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(message, i);
                end.Send(message);
            }
        }
    }
}
