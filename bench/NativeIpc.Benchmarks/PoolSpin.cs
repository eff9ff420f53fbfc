using System.Diagnostics;

namespace NativeIpc.Benchmarks;

/// <summary>The spin budgets of the pool's apply round trip, side by side in one process: a pool per worker spin
/// budget (<see cref="ProcessPool.WorkerSpin"/>), each timed with every reading-caller budget
/// (<see cref="ProcessPool.ReaderSpin"/>), the combinations interleaved round by round so a busy minute hits them
/// all alike. Run with <c>pool-spin [rounds]</c>; prints the median µs per Apply and per map item (chunk 1).</summary>
public static class PoolSpin
{
    private static readonly int[] s_workerSpins = [0, 200, 2000];
    private static readonly int[] s_readerSpins = [0, 200, 2000];
    private const int Applies = 2000, MapItems = 5000;

    public static int Identity(int x) => x;

    public static void Measure(int rounds)
    {
        foreach (int budget in new[] { 64, 200, 2000 })
        {
            double best = double.MaxValue;
            for (int k = 0; k < 50; k++)
            {
                var phase = new SpinPhase(budget);
                long s0 = Stopwatch.GetTimestamp();
                while (phase.Spin()) { }
                best = Math.Min(best, Stopwatch.GetElapsedTime(s0).TotalMicroseconds);
            }
            Console.WriteLine($"a spin phase of {budget} steps: {best:F1} µs (fastest of 50)");
        }
        var pools = new List<(int Spin, ProcessPool Pool)>();
        int defaultWorkerSpin = ProcessPool.WorkerSpin, defaultReaderSpin = ProcessPool.ReaderSpin;
        try
        {
            foreach (int w in s_workerSpins)
            {
                ProcessPool.WorkerSpin = w;
                var pool = new ProcessPool(2);
                pool.Map(Identity, Enumerable.Range(0, 100).ToArray(), chunkSize: 1);
                pools.Add((w, pool));
            }
            var apply = new Dictionary<(int, int), List<double>>();
            var map = new Dictionary<int, List<double>>();
            var items = Enumerable.Range(0, MapItems).ToArray();
            for (int round = 0; round < rounds; round++)
            {
                foreach (var (w, pool) in pools)
                {
                    foreach (int r in s_readerSpins)
                    {
                        ProcessPool.ReaderSpin = r;
                        long t0 = Stopwatch.GetTimestamp();
                        for (int i = 0; i < Applies; i++)
                            if (pool.Apply(Identity, i) != i) throw new InvalidOperationException("wrong result");
                        Add(apply, (w, r), Stopwatch.GetElapsedTime(t0).TotalMicroseconds / Applies);
                    }
                    long m0 = Stopwatch.GetTimestamp();
                    if (pool.Map(Identity, items, chunkSize: 1)[^1] != MapItems - 1) throw new InvalidOperationException("wrong result");
                    Add(map, w, Stopwatch.GetElapsedTime(m0).TotalMicroseconds / MapItems);
                }
            }
            Console.WriteLine($"{rounds} rounds, median µs per Apply ({Applies} per round) and per map item ({MapItems}, chunk 1); load {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine($"{"worker spin",12} {"reader spin",12} {"apply µs",10}");
            foreach (var ((w, r), v) in apply) Console.WriteLine($"{w,12} {r,12} {Median(v),10:F1}");
            foreach (var (w, v) in map) Console.WriteLine($"{w,12} {"map item",12} {Median(v),10:F2}");
        }
        finally
        {
            foreach (var (_, pool) in pools) pool.Dispose();
            ProcessPool.WorkerSpin = defaultWorkerSpin;
            ProcessPool.ReaderSpin = defaultReaderSpin;
        }
    }

    private static void Add<TKey>(Dictionary<TKey, List<double>> d, TKey key, double v) where TKey : notnull
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = [];
        list.Add(v);
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
