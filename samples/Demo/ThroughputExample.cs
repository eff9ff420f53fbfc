using NativeIpc.Compare;

namespace NativeIpc.Demo;

/// <summary>The last section of the demo: a few headline rows of bench/Compare in --quick mode (Python's column too
/// when python3 is on PATH), in the same table format as the full comparison.</summary>
internal static class ThroughputExample
{
    /// <summary>Queue 1→1 small and large, lock contention, event ping-pong, process start+join.</summary>
    private const string HeadlineRows = "queue-1to1-8B,queue-1to1-64KiB,lock-contention,event-pingpong,process-start-join";

    public static void Run()
    {
        // The demo's reports go to a temporary folder, not over a full run's bench/Compare/results.
        string output = Path.Combine(Path.GetTempPath(), "nativeipc-demo-throughput");
        int exitCode = CompareRunner.Run(["--quick", "--only", HeadlineRows, "--exact", "--out", output]);
        if (exitCode != 0) Console.WriteLine($"The comparison ended with exit code {exitCode}.");
    }
}
