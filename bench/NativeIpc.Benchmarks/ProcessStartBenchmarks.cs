using BenchmarkDotNet.Attributes;
using NativeIpc;

namespace NativeIpc.Benchmarks;

/// <summary>Start + join of a child that does nothing (issue: process start cost against Python's spawn/fork),
/// with each start method.</summary>
[MemoryDiagnoser(false)]
public class ProcessStartBenchmarks
{
    public static void Nothing() { }

    [Params(IpcStartMethod.Spawn, IpcStartMethod.Standby)]
    public IpcStartMethod Method { get; set; }

    [GlobalSetup]
    public void Setup() => Multiprocessing.SetStartMethod(Method);

    /// <summary>Standby: each start finds the pool full (a start "now and then"); back-to-back bursts are the
    /// bench/Compare row process-start-join-standby.</summary>
    [IterationSetup]
    public void Refill()
    {
        if (Method == IpcStartMethod.Standby) Multiprocessing.WaitForStandby(TimeSpan.FromSeconds(60));
    }

    [GlobalCleanup]
    public void Cleanup() => Multiprocessing.SetStartMethod(IpcStartMethod.Spawn);

    [Benchmark(Description = "IpcProcess start+join (empty target)")]
    [InvocationCount(1)]
    public int? StartJoin()
    {
        using var p = IpcProcess.Start(Nothing);
        p.Join();
        return p.ExitCode;
    }
}
