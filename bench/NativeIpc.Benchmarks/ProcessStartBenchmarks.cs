using BenchmarkDotNet.Attributes;
using NativeIpc;

namespace NativeIpc.Benchmarks;

/// <summary>Start + join of a child that does nothing (issue: process start cost against Python's spawn/fork).</summary>
[MemoryDiagnoser(false)]
public class ProcessStartBenchmarks
{
    public static void Nothing() { }

    [Benchmark(Description = "IpcProcess start+join (empty target)")]
    public int? StartJoin()
    {
        using var p = IpcProcess.Start(Nothing);
        p.Join();
        return p.ExitCode;
    }
}
