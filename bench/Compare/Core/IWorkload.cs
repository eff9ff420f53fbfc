namespace NativeIpc.Compare.Core;

/// <summary>One workload implemented on one system. Implementations must verify what they did (counts, checksums)
/// and throw <see cref="VerificationException"/> rather than return a figure for work that did not happen.</summary>
/// <example>Plugging a NativeIpc implementation in: a class in NativeIpcSide/, listed in NativeIpcSystem.Create():
/// <code>
/// internal sealed class QueueOneToOne(string name, int size) : IWorkload   // new QueueOneToOne("queue-1to1-8B", 8)
/// {
///     public string Name => name;
///     public Measurement Run(Settings s) => Sampler.Repeat(s, () =&gt; { /* one timed run, checked; returns msg/s */ });
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
