using System.Diagnostics;
using System.Text;

namespace NativeIpc.Cluster;

/// <summary>Where a ClusterPool map spends its time: with <c>NATIVEIPC_CLUSTER_TRACE=&lt;directory&gt;</c> every rank
/// records timestamped events (chunk encoded, sent, received, run, result sent, received, settled, map returned, the
/// MPI thread's sleeps) in memory and writes them at its end to <c>&lt;directory&gt;/rank&lt;N&gt;.trace</c>, one
/// line each: <c>ticks event a b</c>. Ticks are <see cref="Stopwatch"/> nanoseconds (CLOCK_MONOTONIC): the ranks of one
/// host share the clock, so their files merge into one timeline. Off, each mark is one static read.</summary>
internal static class ClusterTrace
{
    /// <summary>The variable naming the directory the trace files go to.</summary>
    public const string Variable = "NATIVEIPC_CLUSTER_TRACE";

    /// <summary>Events kept (the first ones; later ones are dropped): a few hundred maps of the bench.</summary>
    private const int Capacity = 1 << 20;

    private static readonly string? s_directory = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } d ? d : null;

    /// <summary>True when the trace is on.</summary>
    public static readonly bool Enabled = s_directory is not null;

    private static readonly Entry[] s_entries = Enabled ? new Entry[Capacity] : [];
    private static int s_count;

    /// <summary>What happened.</summary>
    public enum Event
    {
        /// <summary>Rank 0's caller starts a map (a: items, b: chunks).</summary>
        MapStart,
        /// <summary>Every chunk of it is encoded and queued (a: items).</summary>
        MapQueued,
        /// <summary>The caller has the results back (a: items).</summary>
        MapReturned,
        /// <summary>Rank 0 posted a chunk (a: worker rank, b: task id).</summary>
        TaskPosted,
        /// <summary>Rank 0 received a result (a: worker rank, b: bytes).</summary>
        ResultReceived,
        /// <summary>Rank 0 settled a result into its job (a: worker rank, b: task id).</summary>
        ResultSettled,
        /// <summary>A worker received a chunk (a: bytes, b: task id).</summary>
        TaskReceived,
        /// <summary>A worker ran a chunk (b: task id).</summary>
        TaskRan,
        /// <summary>A worker posted a result (a: bytes, b: task id).</summary>
        ResultPosted,
        /// <summary>The MPI thread's spin is spent: it sleeps (a: slice ms, 0: until notified).</summary>
        Sleep,
        /// <summary>It woke.</summary>
        Woke,
    }

    private readonly record struct Entry(long Ticks, Event What, long A, long B);

    /// <summary>Records one event when the trace is on.</summary>
    public static void Mark(Event what, long a = 0, long b = 0)
    {
        if (!Enabled) return;
        int i = Interlocked.Increment(ref s_count) - 1;
        if (i < Capacity) s_entries[i] = new Entry(Stopwatch.GetTimestamp(), what, a, b);
    }

    /// <summary>Writes this rank's events to its file (once, at the rank's end).</summary>
    public static void Write(int rank)
    {
        if (!Enabled) return;
        int n = Math.Min(Interlocked.Exchange(ref s_count, Capacity), Capacity);
        try
        {
            Directory.CreateDirectory(s_directory!);
            var text = new StringBuilder(n * 40);
            text.Append("# ticks/s ").Append(Stopwatch.Frequency).Append('\n');
            for (int i = 0; i < n; i++)
            {
                var e = s_entries[i];
                text.Append(e.Ticks).Append(' ').Append(e.What).Append(' ').Append(e.A).Append(' ').Append(e.B).Append('\n');
            }
            File.WriteAllText(Path.Combine(s_directory!, $"rank{rank}.trace"), text.ToString());
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"ClusterPool trace of rank {rank} not written: {e.Message}");
        }
    }
}
