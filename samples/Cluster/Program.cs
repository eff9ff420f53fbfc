using NativeIpc;

namespace NativeIpc.ClusterDemo;

/// <summary>Maps a function over 10,000 items on the MPI job's worker ranks:
/// <c>mpiexec.mpich -n 3 ./NativeIpc.ClusterDemo</c> (one host), or with <c>-f hostfile</c> / under <c>srun</c> across hosts.</summary>
public static class Program
{
    /// <summary>Collatz steps of <paramref name="n"/>: a little CPU work per item.</summary>
    public static int CollatzSteps(long n)
    {
        int steps = 0;
        for (; n != 1; steps++) n = (n & 1) == 0 ? n / 2 : 3 * n + 1;
        return steps;
    }

    /// <summary>The host a worker runs on.</summary>
    public static string Host(int _) => $"{Environment.MachineName}/{Environment.ProcessId}";

    public static int Main()
    {
        if (!ClusterPool.IsUnderMpi)
        {
            Console.Error.WriteLine("Run me under MPI: mpiexec.mpich -n 3 ./NativeIpc.ClusterDemo");
            return 2;
        }
        using var pool = new ClusterPool(); // worker ranks serve from here on and never return
        long[] items = Enumerable.Range(1, 10_000).Select(i => (long)i).ToArray();
        int[] steps = pool.Map(CollatzSteps, items);
        int longest = Array.IndexOf(steps, steps.Max());
        Console.WriteLine($"Mapped {steps.Length} items on {pool.Size} worker ranks");
        Console.WriteLine($"Longest Collatz chain below 10001: {items[longest]} ({steps[longest]} steps)");
        Console.WriteLine($"Sum of steps: {steps.Sum(s => (long)s)}");
        var hosts = pool.Map(Host, Enumerable.Range(0, 4 * pool.Size), chunkSize: 1).Distinct().Order();
        Console.WriteLine($"Workers: {string.Join(", ", hosts)}");
        return 0;
    }
}
