namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>What a contender child did: how many operations, and when it finished
/// (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>); <see cref="Ready"/> before it waits for "go".</summary>
internal readonly record struct ContenderReport(long Count, long EndTicks)
{
    public static readonly ContenderReport Ready = new(-1, 0);
}
