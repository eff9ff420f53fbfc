using System.IO.MemoryMappedFiles;
using BenchmarkDotNet.Attributes;

namespace NativeIpc.Benchmarks;

/// <summary>Issue 14 (atomics at hardware speed), one thread, no contention: what <c>SharedValue&lt;long&gt;.Increment</c>
/// adds to the bare <c>Interlocked.Increment</c> on a mapped file (the .NET baseline of bench/Compare's
/// value-incr-atomic row). Target: within 10 % of the baseline. Allocations must be zero.</summary>
[MemoryDiagnoser(false)]
public unsafe class AtomicIncrementBenchmarks
{
    private const int Ops = 1_000_000;
    private SharedValue<long> _value = null!;
    private MemoryMappedFile _file = null!;
    private MemoryMappedViewAccessor _view = null!;
    private long* _mapped;
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        _value = SharedValue<long>.Create(0);
        _path = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"nipc-bench-atomic-{Environment.ProcessId}");
        _file = MemoryMappedFile.CreateFromFile(_path, FileMode.Create, null, 4096);
        _view = _file.CreateViewAccessor(0, 4096);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _mapped = (long*)p;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
        File.Delete(_path);
        _value.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "Interlocked.Increment on a mapped file")]
    public long InterlockedOnMappedFile()
    {
        long v = 0;
        for (int i = 0; i < Ops; i++) v = Interlocked.Increment(ref *_mapped);
        return v;
    }

    [Benchmark(OperationsPerInvoke = Ops, Description = "SharedValue<long>.Increment")]
    public long SharedValueIncrement()
    {
        long v = 0;
        for (int i = 0; i < Ops; i++) v = _value.Increment();
        return v;
    }
}
