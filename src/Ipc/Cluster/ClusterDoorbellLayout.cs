namespace NativeIpc.Cluster;

/// <summary>One rank's doorbell in the node's shared MPI window (<c>MPI_Win_allocate_shared</c>, one slot per rank of the
/// node), native-endian ints:
/// <code>
/// i32 worldRank | i32 sequence | i32 sleepers | padding to 64 bytes
/// </code>
/// The sequence and sleeper count are an <see cref="EventCount"/>: the rank sleeps on its own slot, and a rank of the
/// same node that just sent it a message rings it, so it wakes at once instead of at its next poll of MPI.</summary>
internal static class ClusterDoorbellLayout
{
    public const int WorldRankOffset = 0;
    public const int SequenceOffset = 4;
    public const int SleepersOffset = 8;

    /// <summary>A slot per cache line: ringing one rank does not disturb another's.</summary>
    public const int SlotSize = 64;
}
