namespace NativeIpc.Compare.Core;

/// <summary>One workload implemented on one system. Implementations must verify what they did (counts, checksums)
/// and throw <see cref="VerificationException"/> rather than return a figure for work that did not happen.</summary>
/// <example>Plugging a NativeIpc implementation in (see NativeIpcSide/NativeIpcSystem.cs):
/// <code>
/// internal sealed class QueueOneToOne(int size) : IWorkload
/// {
///     public string Name => "queue-1to1-" + SizeName(size);
///     public Measurement Run(Settings s) => Sampler.Repeat(s, () => { /* one timed run; returns msg/s */ });
/// }
/// </code></example>
internal interface IWorkload
{
    /// <summary>A <see cref="WorkloadSpec.Name"/> of <see cref="WorkloadCatalog"/>.</summary>
    string Name { get; }

    /// <summary>Warm up, run <see cref="Settings.Repeats"/> timed runs, return their median/min/max
    /// (usually through <see cref="Sampler.Repeat"/>).</summary>
    Measurement Run(Settings settings);
}
