using BenchmarkDotNet.Attributes;
using NativeIpc;

namespace NativeIpc.Benchmarks;

/// <summary>ProcessPool figures against Python's Pool(2) with the spawn context (bench/python/pool_bench.py):
/// start to first result (start + one apply + terminate), map of a trivial function over 10,000 items with chunk
/// size 1 (per item), and an apply round trip (Apply, blocking Get — the caller reads the result queue itself — and
/// await, completed by the pool's collector thread).</summary>
[MemoryDiagnoser(false)]
public class PoolBenchmarks
{
    private const int MapItems = 10_000;
    private static readonly int[] s_items = Enumerable.Range(0, MapItems).ToArray();
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private ProcessPool? _pool;

    public static int Identity(int x) => x;

    [Benchmark(Description = "Pool(2) start + first apply result + terminate")]
    public int StartToFirstResult()
    {
        using var pool = new ProcessPool(2);
        return pool.ApplyAsync(Identity, 1).Get(Limit);
    }

    [GlobalSetup(Targets = [nameof(MapChunk1), nameof(ApplyAsyncRoundTrip), nameof(ApplyRoundTrip), nameof(AwaitApplyAsyncRoundTrip)])]
    public void Setup()
    {
        _pool = new ProcessPool(2);
        _pool.Map(Identity, s_items.AsSpan(0, 100).ToArray()); // both workers up and the target resolved
    }

    [GlobalCleanup(Targets = [nameof(MapChunk1), nameof(ApplyAsyncRoundTrip), nameof(ApplyRoundTrip), nameof(AwaitApplyAsyncRoundTrip)])]
    public void Cleanup() => _pool?.Dispose();

    [Benchmark(OperationsPerInvoke = MapItems, Description = "Pool(2).Map identity, 10,000 items, chunk 1 (per item)")]
    public int MapChunk1()
    {
        var r = _pool!.Map(Identity, s_items, chunkSize: 1);
        if (r[^1] != MapItems - 1) throw new InvalidOperationException("wrong result");
        return r.Length;
    }

    [Benchmark(Description = "Pool(2).ApplyAsync(identity).Get() round trip")]
    public int ApplyAsyncRoundTrip() => _pool!.ApplyAsync(Identity, 7).Get(Limit);

    /// <summary>Apply: the caller is counted as a reader of the result queue before its task is queued.</summary>
    [Benchmark(Description = "Pool(2).Apply(identity) round trip")]
    public int ApplyRoundTrip() => _pool!.Apply(Identity, 7);

    /// <summary>The same round trip awaited: the result completes from the pool's collector, no thread waits.</summary>
    [Benchmark(Description = "await Pool(2).ApplyAsync(identity) round trip")]
    public async Task<int> AwaitApplyAsyncRoundTrip() => await _pool!.ApplyAsync(Identity, 7);
}
