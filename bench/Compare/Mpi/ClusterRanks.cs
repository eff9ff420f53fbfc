using System.Diagnostics;
using System.Globalization;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Mpi;

/// <summary>The ClusterPool side of the MPI rows, run as every rank of <c>mpiexec -n 3 NativeIpc.Compare --mpi-rank ...</c>:
/// rank 0 runs the rows and prints "calibration: ..." and "CHUNK row size" lines, then "RESULT row v1 v2 ..." lines (one
/// value per timed run, after a warm-up run); the other ranks are the pool's workers. The same rows as
/// python/mpi_pool.py, with the same counts.</summary>
internal static class ClusterRanks
{
    public const string Flag = "--mpi-rank";

    public static int Square(int x) => x * x;

    /// <summary>The CPU-bound task: the same loop as compare.py's and mpi_pool.py's cpu_task.</summary>
    public static long CpuTask(int n) => Calibration.CpuTask(n);

    /// <summary>Arguments: repeats, chunk-1 count, default-chunk count, CPU tasks.</summary>
    public static int RunRanks(string[] args)
    {
        int[] a = args.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int repeats = a[0], chunk1 = a[1], auto = a[2], cpuTasks = a[3];
        using var pool = new ClusterPool(); // worker ranks stay here
        pool.Map(Square, Enumerable.Range(0, 200), chunkSize: 1);
        Console.WriteLine($"CHUNK mpi-map-auto {pool.AutoChunkSize(auto)}");
        var rows = new Dictionary<string, List<double>>();
        foreach (var (name, n, chunk) in new[] { ("mpi-map-chunk1", chunk1, (int?)1), ("mpi-map-auto", auto, null) })
        {
            var gcPause = GC.GetTotalPauseDuration();
            int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
            rows[name] = Runs(repeats, () => TimedMap(pool, n, chunk));
            // A map's latency, and the garbage collector's share of it on rank 0 (a chunk message of 100 kB or more is a
            // large-object allocation).
            Console.WriteLine($"map: ClusterPool {name}: {n} items, chunk {chunk ?? pool.AutoChunkSize(n)}: median {n / Median(rows[name]) * 1e3:F2} ms a map; " +
                $"rank 0 GC over its {repeats + 1} maps: {GC.CollectionCount(0) - gen0} collections ({GC.CollectionCount(2) - gen2} gen2), " +
                $"{(GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds:F1} ms paused");
        }
        // Calibrated on rank 0 with the pool up (its ranks idle), as mpi_pool.py does: ~25 ms a task in each language.
        int loops = Calibration.LoopCountFor(Calibration.CpuTaskMs);
        foreach (var note in Calibration.Notes) Console.WriteLine(note);
        var serialMs = new List<double>();
        rows["mpi-cpu-speedup"] = Runs(repeats, () => Speedup(pool, cpuTasks, loops, serialMs));
        serialMs.RemoveAt(0); // the warm-up run's
        // What a task took where it counts, in the timed runs: the calibration's best-of-five probe is only the aim.
        Console.WriteLine($"calibration: C# CpuTask({loops}) in the timed serial runs: median {Median(serialMs):F1} ms a task");
        foreach (var (name, values) in rows)
            Console.WriteLine($"RESULT {name} {string.Join(' ', values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"WORKERS {pool.Size}");
        Console.WriteLine($"LIBRARY {pool.MpiDescription}");
        return 0;
    }

    private static List<double> Runs(int repeats, Func<double> run)
    {
        run(); // warm-up
        return Enumerable.Range(0, repeats).Select(_ => run()).ToList();
    }

    private static double TimedMap(ClusterPool pool, int n, int? chunk)
    {
        var items = Enumerable.Range(0, n).ToArray();
        long start = Stopwatch.GetTimestamp();
        int[] r = pool.Map(Square, items, chunkSize: chunk);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        for (int i = 0; i < n; i++)
            if (r[i] != i * i) throw new InvalidOperationException("wrong map result");
        return n / seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    /// <summary>Serial time of the tasks on rank 0 ÷ time of the pool's map; the serial time a task is added to
    /// <paramref name="serialMs"/>.</summary>
    private static double Speedup(ClusterPool pool, int tasks, int iterations, List<double> serialMs)
    {
        var work = Enumerable.Repeat(iterations, tasks).ToArray();
        long start = Stopwatch.GetTimestamp();
        long[] serial = work.Select(CpuTask).ToArray();
        double serialSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        serialMs.Add(serialSeconds * 1e3 / tasks);
        start = Stopwatch.GetTimestamp();
        long[] parallel = pool.Map(CpuTask, work, chunkSize: 1);
        double poolSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (!serial.SequenceEqual(parallel)) throw new InvalidOperationException("wrong CPU result");
        return serialSeconds / poolSeconds;
    }
}
