using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>pool-first-result, pool-map-chunk1, pool-map-cpu-speedup and apply-async-rtt over ProcessPool, as
/// compare.py does them: pool start is its own row; the other rows reuse one warm 2-worker pool.</summary>
internal sealed class PoolWorkload(string name) : IWorkload
{
    private static ProcessPool? s_pool;

    public string Name => name;

    public static int Square(int x) => x * x;

    public static int Identity(int x) => x;

    /// <summary>The CPU-bound task (the same loop as compare.py's cpu_task; loop counts calibrated per language).</summary>
    public static long CpuTask(int n) => Calibration.CpuTask(n);

    public Measurement Run(Settings settings)
    {
        int n = settings.CountOf(name);
        return name switch
        {
            "pool-first-result" => Sampler.Repeat(settings, () => FirstResult(n)),
            "pool-map-chunk1" => Sampler.Repeat(settings, () => MapChunk1(n)),
            "pool-map-cpu-speedup" => Sampler.Repeat(settings, () => Speedup(n)),
            "apply-async-rtt" => Sampler.Repeat(settings, () => ApplyAsyncRoundTrip(n)),
            _ when name.StartsWith("pool-map-w", StringComparison.Ordinal) => Workers(settings, n, int.Parse(name["pool-map-w".Length..])),
            _ => throw new ArgumentException($"unknown pool workload {name}"),
        };
    }

    private static double FirstResult(int n)
    {
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var pool = new ProcessPool(2);
            int r = pool.Apply(Square, 7);
            total += Sampler.Seconds(t0, Stopwatch.GetTimestamp());
            VerificationException.Check(r == 49, "wrong result");
            pool.Terminate();
            pool.Dispose();
        }
        return total / n * 1e3;
    }

    private static ProcessPool Shared()
    {
        if (s_pool is null)
        {
            s_pool = new ProcessPool(2);
            s_pool.Map(Identity, Enumerable.Range(0, 4));
            AppDomain.CurrentDomain.ProcessExit += (_, _) => s_pool.Dispose();
        }
        return s_pool;
    }

    private static double MapChunk1(int n)
    {
        var pool = Shared();
        long t0 = Stopwatch.GetTimestamp();
        var r = pool.Map(Square, Enumerable.Range(0, n), chunkSize: 1);
        double seconds = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        VerificationException.Check(r.Sum(x => (long)x) == Enumerable.Range(0, n).Sum(i => (long)i * i), "wrong sum");
        return n / seconds;
    }

    private static double Speedup(int n)
    {
        var pool = Shared();
        int loops = Calibration.LoopCountFor(Calibration.CpuTaskMs); // equal work time per task in both languages
        var work = Enumerable.Repeat(loops, n).ToArray();
        WarmWorkers(pool, loops);
        long t0 = Stopwatch.GetTimestamp();
        var serial = work.Select(CpuTask).ToArray();
        double tSerial = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        t0 = Stopwatch.GetTimestamp();
        var parallel = pool.Map(CpuTask, work, chunkSize: 1);
        double tParallel = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        VerificationException.Check(serial.SequenceEqual(parallel), "results differ");
        return tSerial / tParallel;
    }

    /// <summary>pool-map-wN: n calibrated 2 ms tasks, chunk 1, on a fresh pool of N workers (start untimed).</summary>
    private static Measurement Workers(Settings settings, int n, int workers)
    {
        int loops = Calibration.LoopCountFor(Calibration.ScaleTaskMs);
        using var pool = new ProcessPool(workers);
        WarmWorkers(pool, loops);
        var work = Enumerable.Repeat(loops, n).ToArray();
        long expected = CpuTask(loops);
        return Sampler.Repeat(settings, () =>
        {
            long t0 = Stopwatch.GetTimestamp();
            var r = pool.Map(CpuTask, work, chunkSize: 1);
            double seconds = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
            VerificationException.Check(r.Length == n && r.All(x => x == expected), "wrong results");
            return n / seconds;
        });
    }

    /// <summary>Brings every worker's CpuTask to the JIT tier the parent's serial run uses (Calibration warms the
    /// parent with 200 short calls and a pause for the background tier-up): a worker that ran only a couple of long
    /// tasks runs them as on-stack-replaced tier-0 code, and the rows then compare different code. Three rounds: the
    /// runtime counts calls only once its tiering delay (100 ms without new tier-0 code) has passed, and a fresh
    /// worker compiles new code throughout its first map, so calls made then do not count; one round left the 2 ms
    /// task at ~2.7 ms in the workers.</summary>
    private static void WarmWorkers(ProcessPool pool, int loops)
    {
        for (int round = 0; round < 3; round++)
        {
            pool.Map(CpuTask, Enumerable.Repeat(20_000, 100 * pool.Size), chunkSize: 1);
            Thread.Sleep(150);
        }
        pool.Map(CpuTask, Enumerable.Repeat(loops, 2 * pool.Size), chunkSize: 1);
    }

    private static double ApplyAsyncRoundTrip(int n)
    {
        var pool = Shared();
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++)
            VerificationException.Check(pool.ApplyAsync(Identity, i).Get() == i, "wrong result");
        return Sampler.Seconds(t0, Stopwatch.GetTimestamp()) / n * 1e6;
    }
}
