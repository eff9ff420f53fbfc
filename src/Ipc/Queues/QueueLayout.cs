namespace NativeIpc.Queues;

/// <summary>Layout of a queue segment's payload: a control block of cache lines, then a byte ring of
/// variable-length records.
/// <code>
/// control block (each line written by one side only, so producers and consumers do not share lines):
///   0   | claim lock (i32 pid) | pad | tail (i64)     | enqueued msgs (i64) |  producers: claim space here
///  64   | take lock (i32 pid)  | pad | head (i64)     | dequeued msgs (i64) |  consumers: claim records here
/// 128   | released (i64): every byte below it is consumed and may be reused   |  consumers advance it by CAS
/// 192   | data seq (i32) | data waiters (i32)                                 |  consumers sleep on data seq
/// 256   | space seq (i32) | space waiters (i32)                               |  producers sleep on space seq
/// 320   | capacity (i32) | max items (i32) | closed (i32) | unfinished (i32) | join seq (i32) | join waiters (i32)
/// 384   | ring: capacity bytes (power of two), positions are ever-growing i64 byte counts, offset = pos &amp; (capacity-1)
///
/// record (16-byte aligned, never split by the ring end: a Padding record fills the tail of the ring):
///   0   | state word (i32): state | kind &lt;&lt; 8 | length (i32) | producer pid (i32) | consumer pid (i32) | payload, padded to 16
/// </code>
/// A message larger than <see cref="MaxRecordPayload"/> travels as First, Middle…, Last records claimed by one
/// producer holding the claim lock throughout, so its chunks are contiguous; the First payload starts with the
/// total length (<see cref="ChunkPrefix"/> bytes).</summary>
internal static class QueueLayout
{
    public const int ClaimLockOffset = 0;
    public const int TailOffset = 8;
    public const int EnqueuedOffset = 16;

    public const int TakeLockOffset = 64;
    public const int HeadOffset = 72;
    public const int DequeuedOffset = 80;

    public const int ReleasedOffset = 128;

    public const int DataSeqOffset = 192;
    public const int DataWaitersOffset = 196;

    public const int SpaceSeqOffset = 256;
    public const int SpaceWaitersOffset = 260;

    public const int CapacityOffset = 320;
    public const int MaxItemsOffset = 324;
    public const int ClosedOffset = 328;
    public const int UnfinishedOffset = 332;
    public const int JoinSeqOffset = 336;
    public const int JoinWaitersOffset = 340;

    public const int RingOffset = 384;

    public const int RecordStateOffset = 0;
    public const int RecordLengthOffset = 4;
    public const int RecordProducerOffset = 8;
    public const int RecordConsumerOffset = 12;
    public const int RecordHeaderSize = 16;
    public const int RecordAlignment = 16;

    /// <summary>Bytes at the start of a First chunk's payload: the whole message's length (i32) and padding.</summary>
    public const int ChunkPrefix = 8;

    public const int MinCapacity = 1024;

    // Record states (low byte of the state word).
    public const int StateClaimed = 1;   // header written, payload being copied
    public const int StatePublished = 2; // payload complete
    public const int StateTaken = 3;     // a consumer is copying it out (its pid in the header)
    public const int StateConsumed = 4;  // space may be reused

    // Record kinds (second byte of the state word).
    public const int KindWhole = 0;
    public const int KindPadding = 1;
    public const int KindFirst = 2;
    public const int KindMiddle = 3;
    public const int KindLast = 4;

    public static int StateWord(int state, int kind) => state | (kind << 8);

    public static int RecordSize(int payloadLength) => (RecordHeaderSize + payloadLength + RecordAlignment - 1) & ~(RecordAlignment - 1);

    /// <summary>Largest payload of one record: a quarter of the ring, so a producer and a consumer can work on
    /// neighbouring chunks of a big message at the same time.</summary>
    public static int MaxRecordPayload(int capacity) => capacity / 4 - RecordHeaderSize;

    public static long SegmentPayloadSize(int capacity) => RingOffset + (long)capacity;
}
