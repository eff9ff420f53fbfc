using System.Diagnostics.Metrics;

namespace NativeIpc.Diagnostics;

/// <summary>This process's live pools, for the observable pool instruments (weak: a pool that was collected drops out).</summary>
internal static class PoolRegistry
{
    private static readonly object s_gate = new();
    private static readonly List<WeakReference<ProcessPool>> s_pools = [];

    /// <summary>Called once when a pool is created.</summary>
    public static void Track(ProcessPool pool)
    {
        lock (s_gate) s_pools.Add(new WeakReference<ProcessPool>(pool));
    }

    public static IEnumerable<Measurement<long>> Observe(bool running)
    {
        var result = new List<Measurement<long>>();
        lock (s_gate)
        {
            s_pools.RemoveAll(w =>
            {
                if (!w.TryGetTarget(out var pool) || pool.IsDisposedForMetrics) return true;
                result.Add(new Measurement<long>(running ? pool.RunningCount : pool.PendingCount,
                    new KeyValuePair<string, object?>("nativeipc.pool.size", pool.Size)));
                return false;
            });
        }
        return result;
    }
}
