namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>What a consumer child got in one round: item count, index sum, and when it took its last item
/// (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>: one monotonic clock for all processes of the machine).</summary>
internal readonly record struct ConsumerReport(long Count, long Sum, long LastTicks);
