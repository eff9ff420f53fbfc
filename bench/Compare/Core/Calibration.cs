using System.Diagnostics;

namespace NativeIpc.Compare.Core;

/// <summary>Loop counts for CPU-bound tasks of equal time in every language (the same count is ~50× more time in
/// Python), and the notes that say what was calibrated: printed under the table and in results.md.</summary>
internal static class Calibration
{
    /// <summary>One CPU-bound task of the speedup row.</summary>
    public const double CpuTaskMs = 25;

    /// <summary>One task of the pool scaling rows.</summary>
    public const double ScaleTaskMs = 2;

    private static readonly Dictionary<double, int> s_counts = [];
    private static readonly List<string> s_notes = [];

    public static IReadOnlyList<string> Notes
    {
        get { lock (s_notes) return [.. s_notes]; }
    }

    public static void Note(string line)
    {
        lock (s_notes) if (!s_notes.Contains(line)) s_notes.Add(line);
    }

    /// <summary>The same loop as compare.py's cpu_task (the C# twin of the task every system runs).</summary>
    public static long CpuTask(int n)
    {
        long s = 0;
        for (int i = 0; i < n; i++) s += (long)i * i % 7;
        return s;
    }

    /// <summary>Loop count for which <see cref="CpuTask"/> takes about <paramref name="ms"/> ms here, at full JIT tier.</summary>
    public static int LoopCountFor(double ms)
    {
        lock (s_counts) if (s_counts.TryGetValue(ms, out int known)) return known;
        // Warm to the optimised tier first (OSR and tier-up take a few hundred calls or a long loop).
        for (int i = 0; i < 200; i++) CpuTask(20_000);
        Thread.Sleep(200);
        int k = 100_000;
        double best;
        // Probes of at least 20 ms, best of five: a busy machine only ever makes a probe slower.
        while ((best = Best(k)) < 0.02) k *= 4;
        int n = Math.Max(1, (int)(k * ms / 1e3 / best));
        Note($"calibration: C# CpuTask({n}) = {Best(n) * 1e3:F1} ms (target {ms} ms)");
        lock (s_counts) s_counts[ms] = n;
        return n;
    }

    private static double Best(int n)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            CpuTask(n);
            best = Math.Min(best, (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency);
        }
        return best;
    }
}
