namespace NativeIpc.Pipes;

/// <summary>Payload of a pipe segment (after <see cref="SegmentLayout"/>'s header): who holds each end, then one
/// <see cref="QueueRing"/> per direction.
/// <code>
///   0 | end 0 holders: 16 × { pid (i32) | count (i32) }   processes with an open Connection for end 0
/// 128 | end 1 holders: 16 × { pid (i32) | count (i32) }
/// 256 | duplex (i32) | ring capacity (i32) | padding to 320
/// 320 | ring carrying what end 1 sends (received by end 0)
///     | ring carrying what end 0 sends (received by end 1) — duplex pipes only
/// </code>
/// A one-way pipe (Python's <c>Pipe(duplex=False)</c>) has end 0 receive-only and end 1 send-only, so it needs only
/// the first ring. An end whose holder slots are all empty is closed; a slot whose pid is dead counts as closed.</summary>
internal static class PipeLayout
{
    public const int HolderSlots = 16;
    public const int HolderSize = 8;
    public const int HolderPidOffset = 0;
    public const int HolderCountOffset = 4;
    public const int HoldersOffset = 0;
    public const int HolderTableSize = HolderSlots * HolderSize;

    public const int DuplexOffset = 256;
    public const int CapacityOffset = 260;
    public const int RingsOffset = 320;

    /// <summary>Start of the holder table of <paramref name="end"/>.</summary>
    public static int HolderTable(int end) => HoldersOffset + end * HolderTableSize;

    /// <summary>Bytes one ring takes, rounded to whole cache lines.</summary>
    public static long RingSize(int capacity)
        => (QueueLayout.SegmentPayloadSize(capacity) + SegmentLayout.CacheLine - 1) / SegmentLayout.CacheLine * SegmentLayout.CacheLine;

    /// <summary>Offset of the ring carrying what <paramref name="senderEnd"/> sends.</summary>
    public static long RingOffset(int senderEnd, int capacity) => RingsOffset + (senderEnd == 1 ? 0 : RingSize(capacity));

    public static long PayloadSize(bool duplex, int capacity) => RingsOffset + (duplex ? 2 : 1) * RingSize(capacity);
}
