namespace NativeIpc.Compare.Core;

/// <summary>One row of the comparison: what is done, how often, and how the figure reads.
/// README.md's workload table describes the same rows in words.</summary>
/// <param name="Name">Stable id, used by every system, by compare.py and in results.json.</param>
/// <param name="Title">Short label for the console table.</param>
/// <param name="Unit">Unit of the figure.</param>
/// <param name="HigherIsBetter">True for throughputs, false for latencies and times.</param>
/// <param name="FullCount">Messages/operations per timed run in a full run.</param>
/// <param name="QuickCount">The same with <c>--quick</c>.</param>
/// <param name="MessageBytes">Payload size per message, or 0 when there is none.</param>
internal sealed record WorkloadSpec(string Name, string Title, string Unit, bool HigherIsBetter, int FullCount, int QuickCount, int MessageBytes = 0);
