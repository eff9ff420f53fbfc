using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;

namespace NativeIpc.Benchmarks;

/// <summary>Cross-process IpcQueue&lt;byte[]&gt; throughput, 1 producer child → the benchmark process. Reported per
/// message: msgs/s = 1 / mean, MB/s = PayloadBytes / mean. Each batch checks lengths and a checksum.</summary>
[MemoryDiagnoser(false)]
public class QueueBytesBenchmarks
{
    private const int Batch = 20_000; // large enough that waking the producer per batch (~50 µs) does not count
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private IpcQueue<byte[]>? _data;
    private IpcQueue<long>? _commands;
    private IpcProcess? _producer;

    [Params(64, 4096, 65536)]
    public int PayloadBytes { get; set; }

    public static void ProduceBytes(IpcQueue<byte[]> data, IpcQueue<long> commands, int size)
    {
        var payload = new byte[size];
        foreach (long n in commands.GetConsumingEnumerable())
            for (long i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(payload, i);
                data.Put(payload);
            }
    }

    [GlobalSetup]
    public void Setup()
    {
        _data = new IpcQueue<byte[]>(4 << 20);
        _commands = new IpcQueue<long>(4096);
        _producer = IpcProcess.Start(ProduceBytes, _data, _commands, PayloadBytes);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "IpcQueue<byte[]> 1→1 (per message)")]
    public long OneToOneBytes()
    {
        _commands!.Put(Batch);
        long sum = 0;
        for (int i = 0; i < Batch; i++)
        {
            var b = _data!.Get(Limit);
            if (b.Length != PayloadBytes) throw new InvalidOperationException("length check failed");
            sum += BinaryPrimitives.ReadInt64LittleEndian(b);
        }
        if (sum != (long)Batch * (Batch - 1) / 2) throw new InvalidOperationException("checksum failed");
        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _commands?.Complete();
        if (_producer is { } p)
        {
            if (!p.Join(TimeSpan.FromSeconds(10))) p.Kill();
            p.Join(TimeSpan.FromSeconds(10));
            p.Dispose();
        }
        _data?.Dispose();
        _commands?.Dispose();
    }
}
