using BenchmarkDotNet.Attributes;

namespace NativeIpc.Benchmarks;

/// <summary>The per-item cost of the pool's (and ClusterPool's) argument encoding: one <c>int</c> and one
/// <c>string</c> written as a map item would be, into a reused buffer. What a chunk-1 or default-chunk map pays per
/// item on the parent's side before any IPC.</summary>
[MemoryDiagnoser(false)]
public class ArgumentCodecBenchmarks
{
    private const int Items = 10_000;
    private readonly MemoryStream _stream = new(1 << 20);
    private BinaryWriter _writer = null!;

    private MemoryStream _ints = null!;
    private BinaryReader _intReader = null!;

    [GlobalSetup]
    public void Setup()
    {
        _writer = new BinaryWriter(_stream);
        _ints = new MemoryStream();
        using (var w = new BinaryWriter(_ints, System.Text.Encoding.UTF8, leaveOpen: true))
            for (int i = 0; i < Items; i++) ArgumentCodec.Write(w, i, typeof(int));
        _intReader = new BinaryReader(_ints);
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public long ReadInt()
    {
        _ints.Position = 0;
        long sum = 0;
        for (int i = 0; i < Items; i++) sum += (int)ArgumentCodec.Read(_intReader, typeof(int))!;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public long WriteInt()
    {
        _stream.Position = 0;
        for (int i = 0; i < Items; i++) ArgumentCodec.Write(_writer, i, typeof(int));
        return _stream.Position;
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public long WriteString()
    {
        _stream.Position = 0;
        for (int i = 0; i < Items; i++) ArgumentCodec.Write(_writer, "item", typeof(string));
        return _stream.Position;
    }
}
