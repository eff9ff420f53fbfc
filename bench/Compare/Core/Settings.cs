namespace NativeIpc.Compare.Core;

/// <summary>What one run of the comparison does: how many repeats, which workloads, which counts.</summary>
/// <param name="Exact"><c>--exact</c>: the <c>--only</c> terms are whole workload names, not parts of them.</param>
internal sealed record Settings(bool Quick, int Repeats, IReadOnlyList<string> Only, string ResultsDirectory, bool Exact = false)
{
    /// <summary>The message/operation count of a workload in this run (quick or full), from <see cref="WorkloadCatalog"/>.</summary>
    public int CountOf(string workload) => WorkloadCatalog.Get(workload) is { } w ? (Quick ? w.QuickCount : w.FullCount)
        : throw new ArgumentException($"Unknown workload '{workload}'.", nameof(workload));

    /// <summary>True when <c>--only</c> is empty or one of its terms is part of <paramref name="workload"/>
    /// (so <c>--only queue,pipe</c> picks every queue and pipe row; compare.py matches the same way); with
    /// <see cref="Exact"/>, when one of its terms is <paramref name="workload"/>.</summary>
    public bool Selects(string workload) => Only.Count == 0 || Only.Any(o => Exact
        ? workload.Equals(o, StringComparison.OrdinalIgnoreCase)
        : workload.Contains(o, StringComparison.OrdinalIgnoreCase));
}
