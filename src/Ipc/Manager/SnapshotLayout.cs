namespace NativeIpc.Manager;

/// <summary>Payload of an <see cref="IpcDict{TKey,TValue}"/> or <see cref="IpcList{T}"/> segment (after
/// <see cref="SegmentLayout"/>'s header): a lock, a state word, and two snapshot buffers of <c>capacity</c> bytes.
/// <code>
///  0           16                      64        72         80                      128
///  | lock (16) | padding to cache line | state   | capacity | padding to cache line |
///    LockLayout                          i64       i64
///  128                                   128 + stride                          128 + 2 * stride
///  | buffer 0: used (i32) | count (i32) | payload (capacity bytes) ... | buffer 1: same ...       |
/// </code>
/// <c>state</c> is the snapshot version; its low bit names the buffer holding the current snapshot. A writer (under
/// the lock) fills the other buffer, then stores <c>state + 1</c>: one atomic store publishes the new snapshot and
/// flips the buffer, so a writer killed at any instruction leaves the previous snapshot current. A buffer is only
/// rewritten two versions after it was current, which is what lets readers copy it without the lock (seqlock).</summary>
internal static class SnapshotLayout
{
    public const int LockOffset = 0;
    public const int StateOffset = 64;
    public const int CapacityOffset = 72;
    public const int BuffersOffset = 128;

    /// <summary>Within a buffer: bytes of entries used, then the number of entries, then the entries.</summary>
    public const int UsedOffset = 0;
    public const int CountOffset = 4;
    public const int BufferHeaderSize = 8;

    /// <summary>Each entry's parts (a key, a value, a list item) are prefixed by their length.</summary>
    public const int LengthPrefixSize = 4;

    /// <summary>Bytes from one buffer to the next: header plus capacity, whole cache lines.</summary>
    public static long BufferStride(long capacity)
        => (BufferHeaderSize + capacity + SegmentLayout.CacheLine - 1) / SegmentLayout.CacheLine * SegmentLayout.CacheLine;

    public static long BufferOffset(long state, long capacity) => BuffersOffset + (state & 1) * BufferStride(capacity);

    public static long PayloadSize(long capacity) => BuffersOffset + 2 * BufferStride(capacity);
}
