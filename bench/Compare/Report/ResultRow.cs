using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Report;

/// <summary>One workload's figures on every system, and how NativeIpc compares.</summary>
internal sealed record ResultRow(WorkloadSpec Spec, IReadOnlyDictionary<string, Measurement> BySystem)
{
    /// <summary>How many times better NativeIpc is than <paramref name="system"/> (above 1: NativeIpc wins),
    /// whichever way the unit reads; null when either figure is missing.</summary>
    public double? Advantage(string system) => Advantage(BySystem.GetValueOrDefault(system));

    /// <summary>As <see cref="Advantage(string)"/>, against the better of the .NET baselines.</summary>
    public double? AdvantageOverBestBaseline()
    {
        var best = RunResults.Baselines.Select(b => BySystem.GetValueOrDefault(b)).Where(m => m is { HasValue: true })
            .OrderBy(m => Spec.HigherIsBetter ? -m!.Median : m!.Median).FirstOrDefault();
        return Advantage(best);
    }

    private double? Advantage(Measurement? other)
    {
        if (other is not { HasValue: true } || BySystem.GetValueOrDefault(RunResults.NativeIpc) is not { HasValue: true } n) return null;
        return Spec.HigherIsBetter ? n.Median / other.Median : other.Median / n.Median;
    }
}
