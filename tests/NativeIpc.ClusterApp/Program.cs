using NativeIpc;

namespace NativeIpc.ClusterApp;

/// <summary>Scenarios for the ClusterPool tests. Every rank runs Main; worker ranks stop in the ClusterPool constructor.
/// Rank 0 prints one "ok ..." line per check that held, or "FAIL ..." lines, then "done".</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string scenario = args.Length > 0 ? args[0] : "basic";
        if (scenario == "not-under-mpi") return NotUnderMpi();
        using var pool = new ClusterPool();
        Console.WriteLine($"rank0 workers={pool.Size} mpi={pool.MpiDescription}");
        int failures = scenario switch
        {
            "basic" => Scenarios.Basic(pool),
            "kill-worker" => Scenarios.KillWorker(pool),
            "rank0-idle" => Scenarios.Rank0Idle(pool),
            "wake-latency" => Scenarios.WakeLatency(pool),
            "throughput" => Scenarios.Throughput(pool, args.Length > 1 ? int.Parse(args[1]) : 20_000),
            _ => throw new ArgumentException($"unknown scenario {scenario}"),
        };
        Console.WriteLine(failures == 0 ? "done" : $"done with {failures} failure(s)");
        return failures == 0 ? 0 : 1;
    }

    private static int NotUnderMpi()
    {
        try
        {
            using var pool = new ClusterPool();
            Console.WriteLine("FAIL constructed a pool outside MPI");
            return 1;
        }
        catch (IpcMpiException e)
        {
            Console.WriteLine($"ok not-under-mpi: {e.Message}");
            return 0;
        }
    }
}
