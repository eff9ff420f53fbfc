using BenchmarkDotNet.Attributes;
using NativeIpc;

namespace NativeIpc.Benchmarks;

/// <summary>Connection (Pipe) figures: ping-pong round trip with a child that echoes, and one-way throughput of
/// byte messages to a child that counts and checksums them. The child is started before the measured part.</summary>
public class PipeBenchmarks
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    public const int RoundTrips = 20_000;
    public const int OneWayBytes = 64 << 20;

    private Connection _mine = null!, _theirs = null!;
    private IpcProcess _child = null!;
    private byte[] _payload = [];

    /// <summary>Message size; ping-pong runs only at 8 bytes (as the comparison's pipe ping-pong).</summary>
    [Params(8, 64, 4096, 1 << 20)]
    public int Size { get; set; }

    /// <summary>Echoes every message back; a message of 1 byte ends it.</summary>
    public static void Echo(Connection conn)
    {
        var buffer = new byte[2 << 20];
        while (true)
        {
            int n = conn.RecvBytesInto(buffer, Wait);
            if (n == 1) return;
            conn.SendBytes(buffer.AsSpan(0, n));
        }
    }

    /// <summary>Receives <paramref name="total"/> bytes in messages, then answers with the sum of their first bytes.</summary>
    public static void Sink(Connection conn, long total)
    {
        var buffer = new byte[2 << 20];
        while (true)
        {
            long got = 0, sum = 0;
            while (got < total)
            {
                int n = conn.RecvBytesInto(buffer, Wait);
                if (n == 1) return;
                got += n;
                sum += buffer[0];
            }
            conn.Send(sum);
        }
    }

    [GlobalSetup(Target = nameof(PingPong))]
    public void SetupPingPong() => Start(PipeBenchmarks.Echo);

    [GlobalSetup(Target = nameof(OneWay))]
    public void SetupOneWay()
    {
        (_mine, _theirs) = Connection.CreatePipe(capacityBytes: 4 << 20);
        _child = IpcProcess.Start(Sink, _theirs, (long)OneWayBytes / Size * Size);
        _theirs.Close();
        _payload = new byte[Size];
        _payload[0] = 1;
    }

    private void Start(Action<Connection> target)
    {
        (_mine, _theirs) = Connection.CreatePipe(capacityBytes: 4 << 20);
        _child = IpcProcess.Start(target, _theirs);
        _theirs.Close();
        _payload = new byte[Size];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _mine.SendBytes([0]);
        _child.Join(Wait);
        _mine.Dispose();
        _theirs.Dispose();
        _child.Dispose();
    }

    [Benchmark(OperationsPerInvoke = RoundTrips, Description = "Connection ping-pong round trip")]
    public void PingPong()
    {
        if (Size != 8) return; // measured at 8 bytes only
        var back = new byte[Size];
        for (int i = 0; i < RoundTrips; i++)
        {
            _mine.SendBytes(_payload);
            if (_mine.RecvBytesInto(back, Wait) != Size) throw new InvalidOperationException("short echo");
        }
    }

    [Benchmark(Description = "Connection one-way 64 MiB in messages of Size bytes")]
    public void OneWay()
    {
        if (Size == 8) return; // 8-byte one-way is the queue's workload
        long messages = OneWayBytes / Size;
        for (long i = 0; i < messages; i++) _mine.SendBytes(_payload);
        if (_mine.Recv<long>(Wait) != messages) throw new InvalidOperationException("the sink did not see every message");
    }
}
