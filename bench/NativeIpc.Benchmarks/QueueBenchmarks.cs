using System.Buffers.Binary;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;

namespace NativeIpc.Benchmarks;

/// <summary>Cross-process queue throughput with 8-byte items (issue #5); byte[] payloads are in <see cref="QueueBytesBenchmarks"/>. Producers are child processes that stay up for the whole
/// run and produce one batch per invocation on command; the consumer is the benchmark process (1→1) or two
/// children reporting counts and checksums (2→2). Every batch is checked (count and checksum) before it counts.
/// Reference rows: a kernel pipe (FIFO) and a Unix domain socket, one 8-byte write per message.</summary>
[MemoryDiagnoser(false)]
public class QueueBenchmarks
{
    private const int SmallBatch = 1_000_000;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private IpcQueue<long>? _small;
    private IpcQueue<long>[] _commands = [];
    private IpcQueue<Tally>? _reports;
    private readonly List<IpcProcess> _children = [];

    // ------------------------------------------------------------------ children

    public static void ProduceLongs(IpcQueue<long> data, IpcQueue<long> commands)
    {
        foreach (long n in commands.GetConsumingEnumerable())
            for (long i = 0; i < n; i++) data.Put(i);
    }

    /// <summary>2→2 consumer: sums items and reports what it has summed whenever the queue looks empty, so the
    /// benchmark sees every item of a batch counted exactly once.</summary>
    public static void ConsumeLongs(IpcQueue<long> data, IpcQueue<Tally> reports)
    {
        var tally = new Tally();
        while (true)
        {
            if (!data.TryGet(out long v))
            {
                if (tally.Count > 0) { reports.Put(tally); tally = new Tally(); }
                try { v = data.Get(); } catch (IpcQueueClosedException) { return; }
            }
            tally.Count++;
            tally.Sum += v;
        }
    }

    // ------------------------------------------------------------------ 1 → 1, 8-byte items

    [GlobalSetup(Target = nameof(OneToOne8Bytes))]
    public void SetupSmall()
    {
        _small = new IpcQueue<long>();
        _commands = [new IpcQueue<long>(4096)];
        _children.Add(IpcProcess.Start(ProduceLongs, _small, _commands[0]));
    }

    [Benchmark(OperationsPerInvoke = SmallBatch, Description = "IpcQueue<long> 1→1 (per message)")]
    public long OneToOne8Bytes()
    {
        _commands[0].Put(SmallBatch);
        long sum = 0;
        for (int i = 0; i < SmallBatch; i++) sum += _small!.Get(Limit);
        Check(sum == (long)SmallBatch * (SmallBatch - 1) / 2, "checksum");
        return sum;
    }

    // ------------------------------------------------------------------ 2 → 2, 8-byte items

    [GlobalSetup(Target = nameof(TwoToTwo8Bytes))]
    public void SetupTwoToTwo()
    {
        _small = new IpcQueue<long>();
        _reports = new IpcQueue<Tally>(1 << 16);
        _commands = [new IpcQueue<long>(4096), new IpcQueue<long>(4096)];
        foreach (var c in _commands) _children.Add(IpcProcess.Start(ProduceLongs, _small, c));
        for (int i = 0; i < 2; i++) _children.Add(IpcProcess.Start(ConsumeLongs, _small, _reports));
    }

    [Benchmark(OperationsPerInvoke = SmallBatch, Description = "IpcQueue<long> 2→2 (per message)")]
    public long TwoToTwo8Bytes()
    {
        foreach (var c in _commands) c.Put(SmallBatch / 2);
        long count = 0, sum = 0;
        while (count < SmallBatch) { var t = _reports!.Get(Limit); count += t.Count; sum += t.Sum; }
        Check(count == SmallBatch, "count");
        Check(sum == 2 * ((long)(SmallBatch / 2) * (SmallBatch / 2 - 1) / 2), "checksum");
        return sum;
    }

    // ------------------------------------------------------------------ references: FIFO and Unix domain socket

    private string _path = "";
    private Stream? _stream;
    private const int RefBatch = 200_000;

    public static void WriteLongsToFifo(string path, int n)
    {
        using var fifo = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
        Span<byte> b = stackalloc byte[8];
        for (long i = 0; i < n; i++) { BinaryPrimitives.WriteInt64LittleEndian(b, i); fifo.Write(b); }
    }

    public static void WriteLongsToSocket(string path, int n)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(path));
        Span<byte> b = stackalloc byte[8];
        for (long i = 0; i < n; i++) { BinaryPrimitives.WriteInt64LittleEndian(b, i); s.Send(b); }
    }

    [IterationSetup(Target = nameof(Fifo1to1))]
    public void SetupFifo()
    {
        _path = Path.Combine(Path.GetTempPath(), "nipc-bench-" + Guid.NewGuid().ToString("N"));
        System.Diagnostics.Process.Start("mkfifo", ["-m", "600", _path])!.WaitForExit();
        _children.Add(IpcProcess.Start(WriteLongsToFifo, _path, RefBatch));
        _stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
    }

    [Benchmark(OperationsPerInvoke = RefBatch, Description = "FIFO pipe 1→1 8 B (write per message)")]
    public long Fifo1to1() => ReadLongs(_stream!, RefBatch);

    [IterationCleanup(Target = nameof(Fifo1to1))]
    public void CleanupFifo() { _stream?.Dispose(); File.Delete(_path); ReapChildren(); }

    [IterationSetup(Target = nameof(UnixSocket1to1))]
    public void SetupSocket()
    {
        _path = Path.Combine(Path.GetTempPath(), "nipc-bench-" + Guid.NewGuid().ToString("N"));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_path));
        listener.Listen(1);
        _children.Add(IpcProcess.Start(WriteLongsToSocket, _path, RefBatch));
        _stream = new BufferedStream(new NetworkStream(listener.Accept(), ownsSocket: true), 1 << 16);
    }

    [Benchmark(OperationsPerInvoke = RefBatch, Description = "Unix socket 1→1 8 B (send per message)")]
    public long UnixSocket1to1() => ReadLongs(_stream!, RefBatch);

    [IterationCleanup(Target = nameof(UnixSocket1to1))]
    public void CleanupSocket() { _stream?.Dispose(); File.Delete(_path); ReapChildren(); }

    private static long ReadLongs(Stream s, int n)
    {
        Span<byte> b = stackalloc byte[8];
        long sum = 0;
        for (int i = 0; i < n; i++) { s.ReadExactly(b); sum += BinaryPrimitives.ReadInt64LittleEndian(b); }
        Check(sum == (long)n * (n - 1) / 2, "checksum");
        return sum;
    }

    // ------------------------------------------------------------------ teardown

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var c in _commands) c.Complete();
        ReapChildren();
        _small?.Dispose();
        _reports?.Dispose();
        foreach (var c in _commands) c.Dispose();
        _commands = [];
    }

    private void ReapChildren()
    {
        _small?.Complete();
        foreach (var p in _children)
        {
            if (!p.Join(TimeSpan.FromSeconds(10))) p.Kill();
            p.Join(TimeSpan.FromSeconds(10));
            p.Dispose();
        }
        _children.Clear();
    }

    private static void Check(bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException($"Benchmark batch failed its {what} check.");
    }
}
