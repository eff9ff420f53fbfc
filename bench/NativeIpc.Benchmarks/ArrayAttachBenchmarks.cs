using BenchmarkDotNet.Attributes;

namespace NativeIpc.Benchmarks;

/// <summary>Issue 14 (arrays at memcpy speed): the first write through a fresh mapping of a 64 MiB SharedArray, as a
/// child that was handed the array does it. Attach populates the mapping (MADV_POPULATE_WRITE), so the fill takes no
/// page fault; the benchmark shows where the cost went (attach) and what is left for the fill. Baseline: a 64 MiB
/// fill of an array already in the page tables; <c>SharedArray.Fill</c> (non-temporal stores) beside <c>Span.Fill</c>.</summary>
[MemoryDiagnoser(false)]
public class ArrayAttachBenchmarks
{
    private const int Doubles = 8 * 1024 * 1024; // 64 MiB
    private SharedArray<double> _array = null!;
    private SharedArray<double>? _attached;
    private double _k;

    [GlobalSetup]
    public void Setup() => _array = SharedArray<double>.Create(Doubles);

    [GlobalCleanup]
    public void Cleanup() => _array.Dispose();

    [IterationCleanup]
    public void Detach()
    {
        _attached?.Dispose();
        _attached = null;
    }

    [Benchmark(Baseline = true, Description = "fill 64 MiB, mapping warm")]
    [InvocationCount(1)]
    public double FillWarm()
    {
        _array.AsSpan().Fill(++_k);
        return _array[^1];
    }

    [Benchmark(Description = "SharedArray.Fill 64 MiB, mapping warm (non-temporal)")]
    [InvocationCount(1)]
    public double FillNonTemporalWarm()
    {
        _array.Fill(++_k);
        return _array[^1];
    }

    [Benchmark(Description = "attach 64 MiB (populates the mapping)")]
    [InvocationCount(1)]
    public int Attach()
    {
        _attached = SharedArray<double>.Attach(_array.Name);
        return _attached.Length;
    }

    [Benchmark(Description = "attach + fill 64 MiB (a child's first write)")]
    [InvocationCount(1)]
    public double AttachAndFill()
    {
        _attached = SharedArray<double>.Attach(_array.Name);
        _attached.AsSpan().Fill(++_k);
        return _attached[^1];
    }

    [Benchmark(Description = "attach + SharedArray.Fill 64 MiB")]
    [InvocationCount(1)]
    public double AttachAndFillNonTemporal()
    {
        _attached = SharedArray<double>.Attach(_array.Name);
        _attached.Fill(++_k);
        return _attached[^1];
    }
}
