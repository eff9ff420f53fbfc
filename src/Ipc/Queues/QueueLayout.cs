namespace NativeIpc.Queues;

/// <summary>Layout of a queue segment's payload: a control block of groups, each on its own pair of cache lines,
/// then a byte ring of variable-length records.
/// <code>
/// control block (groups are <see cref="GroupSize"/> = 128 bytes apart: the adjacent-line prefetcher pulls 128-byte
/// pairs, so producers and consumers never pull each other's line):
///   0 | claim word (i32 owner) | claim sleepers (i32) | tail (i64) | enqueued (i64) | last claim (i64)   written under the claim word
/// 128 | take word (i32 owner)  | take sleepers (i32)  | head (i64) | dequeued (i64) | torn (i64)        written under the take word
/// 256 | released (i64): every byte below it is consumed and may be reused    advanced by CAS by consumers (in
///     |                                                                       batches: RecordRing.FreeSpace), and by
///     |                                                                       producers short of space
/// 384 | data seq (i32) | data sleepers (i32)       producers bump the seq; consumers sleep on it
/// 512 | space seq (i32) | space sleepers (i32)     consumers bump the seq; producers sleep on it
/// 640 | capacity (i32) | max items (i32) | completed (i32) | shutdown (i32)   written once by the creator; completed by
///     |                                                                     Complete() and Shutdown(), shutdown by Shutdown()
/// 768 | tasks done (i64) | join seq (i32) | join sleepers (i32)     joinable queues: TaskDone() and Join()
/// 896 | tracking (i32) | overflow (i32) | pad | 64 × { owner (i32) | holds (i32) }   processes that may still put
///     |   (queues only: a pipe ends by its own holder table and Complete, and never sets tracking)
///1536 | ring: capacity bytes (a power of two); positions are ever-growing i64 byte counts, offset = pos &amp; (capacity-1)
///
/// record (16-byte aligned, never split by the ring end: a Padding record fills the tail of the ring):
///   0 | state word (i32): state (bits 0-7) | kind (8-15) | message number, low 16 bits (16-31; Whole and First only)
///   4 | payload length (i32)
///   8 | producer (i32 owner id)
///  12 | consumer (i32 owner id, set when Taken)
///  16 | payload, padded to 16
/// </code>
/// A message larger than <see cref="MaxRecordPayload"/> travels as First, Middle…, Last records claimed by one
/// producer holding the claim word throughout, so its chunks are contiguous; the First payload starts with the whole
/// message's length as an i64 (<see cref="ChunkPrefix"/> bytes).
/// <para>The state word at tail is kept 0 (a producer claiming a record clears the word where the next one will
/// start, when that word lies in free space), so a consumer at head tells "nothing yet" (0) and "committed"
/// (Published Whole) from the record's header alone and reads tail, the producers' line, only when the header cannot
/// tell (Claimed, Padding, chunks, a full ring): per message the consumer's wait touches one line, the record's.</para>
/// <para>Counting (Count, maxItems, joinable tasks): Whole and First records are counted messages. A producer numbers
/// each one with <c>enqueued</c> (under the claim word: header, then last claim, then tail, then enqueued); a consumer
/// sets <c>dequeued</c> to the record's number + 1 before it moves head past it, so a retake after a kill stores the
/// same value. <c>torn</c> packs the count of torn counted records skipped (high 48 bits) with the number of the last
/// one (low 16 bits), in one store for the same reason.</para></summary>
internal static class QueueLayout
{
    /// <summary>Distance between control groups: two cache lines.</summary>
    public const int GroupSize = 128;

    // Producer group: written under the claim word.
    public const int ProducerGroup = 0;
    public const int ClaimWordOffset = ProducerGroup;
    /// <summary>Producers parked on the claim word (<see cref="ClaimWord"/>).</summary>
    public const int ClaimSleepersOffset = ProducerGroup + 4;
    public const int TailOffset = ProducerGroup + 8;
    public const int EnqueuedOffset = ProducerGroup + 16;
    /// <summary>Where the last claim-word holder put its last record; lets a taker-over finish a dead holder's count.</summary>
    public const int LastClaimOffset = ProducerGroup + 24;

    // Consumer group: written under the take word.
    public const int ConsumerGroup = ProducerGroup + GroupSize;
    public const int TakeWordOffset = ConsumerGroup;
    /// <summary>Consumers parked on the take word (<see cref="ClaimWord"/>).</summary>
    public const int TakeSleepersOffset = ConsumerGroup + 4;
    public const int HeadOffset = ConsumerGroup + 8;
    public const int DequeuedOffset = ConsumerGroup + 16;
    public const int TornOffset = ConsumerGroup + 24;

    public const int ReleasedOffset = ConsumerGroup + GroupSize;

    public const int DataGroup = ReleasedOffset + GroupSize;
    public const int DataSeqOffset = DataGroup;
    public const int DataSleepersOffset = DataGroup + 4;

    public const int SpaceGroup = DataGroup + GroupSize;
    public const int SpaceSeqOffset = SpaceGroup;
    public const int SpaceSleepersOffset = SpaceGroup + 4;

    public const int ConfigGroup = SpaceGroup + GroupSize;
    public const int CapacityOffset = ConfigGroup;
    public const int MaxItemsOffset = ConfigGroup + 4;
    /// <summary>Nonzero once the stream was ended for everyone (<c>Complete()</c>).</summary>
    public const int CompletedOffset = ConfigGroup + 8;
    /// <summary>Nonzero once the queue was shut down (<c>Shutdown()</c>, Python's <c>Queue.shutdown</c>): bits
    /// <see cref="ShutDownFlag"/> and <see cref="ShutDownImmediateFlag"/>. Set before <see cref="CompletedOffset"/>, and
    /// read only where <c>completed</c> was found set (which chooses the exception: shut down or closed), so the put and
    /// get paths read nothing more.</summary>
    public const int ShutdownOffset = ConfigGroup + 12;
    /// <summary>In the shutdown word: the queue was shut down.</summary>
    public const int ShutDownFlag = 1;
    /// <summary>In the shutdown word: the shutdown was immediate (what was queued is discarded).</summary>
    public const int ShutDownImmediateFlag = 2;

    public const int JoinGroup = ConfigGroup + GroupSize;
    public const int TasksDoneOffset = JoinGroup;
    public const int JoinSeqOffset = JoinGroup + 8;
    public const int JoinSleepersOffset = JoinGroup + 12;

    // Holder group: which processes may still put (see QueueHolders).
    public const int HolderGroup = JoinGroup + GroupSize;
    /// <summary>Nonzero once a queue registered a holder: only then does "no holder left" end the stream.</summary>
    public const int HolderTrackingOffset = HolderGroup;
    /// <summary>Nonzero once a holder found every slot taken by a live process: then only Complete() ends the stream.</summary>
    public const int HolderOverflowOffset = HolderGroup + 4;
    public const int HolderSlotsOffset = HolderGroup + 16;
    public const int HolderSlots = 64;
    public const int HolderSlotSize = 8;
    public const int HolderOwnerOffset = 0;
    public const int HolderCountOffset = 4;
    private const int HolderGroupSize = 5 * GroupSize; // 16 + 64 × 8 bytes, rounded up to whole groups

    /// <summary>Start of the ring, after the control block.</summary>
    public const int RingOffset = HolderGroup + HolderGroupSize;

    public const int RecordStateOffset = 0;
    public const int RecordLengthOffset = 4;
    public const int RecordProducerOffset = 8;
    public const int RecordConsumerOffset = 12;
    public const int RecordHeaderSize = 16;
    public const int RecordAlignment = 16;

    /// <summary>Bytes at the start of a First chunk's payload: the whole message's length (i64).</summary>
    public const int ChunkPrefix = sizeof(long);

    public const int MinCapacity = 1024;

    /// <summary>Largest ring: positions and lengths stay in i32 range.</summary>
    public const int MaxCapacity = 1 << 30;

    /// <summary>Bits of a message number kept in a record's state word.</summary>
    public const int NumberBits = 16;

    /// <summary>Mask of the message number bits; <c>torn</c> keeps the last torn record's number under it too.</summary>
    public const long NumberMask = (1 << NumberBits) - 1;

    /// <summary>Bytes a small message needs beyond the ring's free space: a padding header plus the smallest record,
    /// what <see cref="QueueRing.IsFull"/> asks for.</summary>
    public const int SmallMessageNeed = RecordHeaderSize + RecordSize0;

    private const int RecordSize0 = RecordHeaderSize + RecordAlignment; // a record with up to 16 bytes of payload

    public static int RecordSize(int payloadLength) => (RecordHeaderSize + payloadLength + RecordAlignment - 1) & ~(RecordAlignment - 1);

    /// <summary>Largest payload of one record: a quarter of the ring, so a producer and a consumer can work on
    /// neighbouring chunks of a big message at the same time.</summary>
    public static int MaxRecordPayload(int capacity) => capacity / 4 - RecordHeaderSize;

    public static long SegmentPayloadSize(int capacity) => RingOffset + (long)capacity;

    /// <summary>True for a ring size this layout can hold in <paramref name="available"/> bytes from the control block on.</summary>
    public static bool IsValidCapacity(int capacity, long available)
        => capacity is >= MinCapacity and <= MaxCapacity && (capacity & (capacity - 1)) == 0 && SegmentPayloadSize(capacity) <= available;
}
