namespace NativeIpc.Compare.Core;

/// <summary>The figure of one workload on one system: median of the repeated runs with their min and max,
/// or, when there is no figure, why (<see cref="Status"/>: "not built yet", "python3 not found", an error).</summary>
internal sealed record Measurement(double Median, double Min, double Max, double[] Values, string? Status = null)
{
    public bool HasValue => Status is null;

    public static Measurement Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("No values.", nameof(values));
        var sorted = values.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new(median, sorted[0], sorted[^1], values.ToArray());
    }

    public static Measurement Missing(string status) => new(double.NaN, double.NaN, double.NaN, [], status);

    public static readonly Measurement NotBuilt = Missing("not built yet");

    public static readonly Measurement NotApplicable = Missing("n/a");
}
