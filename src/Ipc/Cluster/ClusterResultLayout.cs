namespace NativeIpc.Cluster;

/// <summary>The body of a <see cref="ClusterTags.Result"/> message (little-endian):
/// <code>
/// i64 runTicks | pool result message (PoolMessageLayout)
/// </code>
/// <c>runTicks</c> is how long the worker took to run the chunk (<see cref="System.Diagnostics.Stopwatch"/> ticks of
/// the worker; only its ratio to a millisecond is used): rank 0 sizes the worker's queue of chunks by it.</summary>
internal static class ClusterResultLayout
{
    public const int RunTicksOffset = 0;
    public const int RunTicksSize = sizeof(long);
    public const int PoolResultOffset = RunTicksOffset + RunTicksSize;

    /// <summary>Ticks per second of the worker's clock, which every .NET on Linux shares (nanoseconds).</summary>
    public const long TicksPerSecond = 1_000_000_000;
}
