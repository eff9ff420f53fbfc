namespace NativeIpc.Compare.Core;

/// <summary>A column of the table: a system and the workloads it implements. A workload it lacks is reported
/// as <see cref="MissingStatus"/> ("not built yet" for NativeIpc, "n/a" for the .NET baselines).</summary>
internal sealed class ComparedSystem(string name, IEnumerable<IWorkload> workloads, string missingStatus)
{
    private readonly Dictionary<string, IWorkload> _byName = workloads.ToDictionary(w => w.Name);

    public string Name { get; } = name;

    public string MissingStatus { get; } = missingStatus;

    public bool Implements(string workload) => _byName.ContainsKey(workload);

    public Measurement Run(string workload, Settings settings)
    {
        if (!_byName.TryGetValue(workload, out var w)) return Measurement.Missing(MissingStatus);
        try { return w.Run(settings); }
        // A feature this OS lacks is not a failure of the run: the cell says n/a and why.
        catch (PlatformNotSupportedException e) { return Measurement.Missing($"n/a: {e.Message}"); }
        catch (Exception e) { return Measurement.Missing($"error: {e.GetType().Name}: {e.Message}"); }
    }
}
