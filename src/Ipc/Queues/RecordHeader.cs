using L = NativeIpc.Queues.QueueLayout;

namespace NativeIpc.Queues;

/// <summary>A view of one record's header in the ring (<see cref="QueueLayout"/>). Fields are read once into locals
/// by callers and validated there: a peer may rewrite them at any time.</summary>
internal readonly unsafe struct RecordHeader(byte* record)
{
    public byte* Pointer => record;

    public byte* Payload => record + L.RecordHeaderSize;

    private ref int Word => ref *(int*)(record + L.RecordStateOffset);

    /// <summary>The state word, read with acquire semantics (the payload written before publication is visible after it).</summary>
    public RecordState State => new(Volatile.Read(ref Word));

    public int Length => Volatile.Read(ref *(int*)(record + L.RecordLengthOffset));

    public int Producer => Volatile.Read(ref *(int*)(record + L.RecordProducerOffset));

    public int Consumer => Volatile.Read(ref *(int*)(record + L.RecordConsumerOffset));

    /// <summary>Writes a fresh header; the state word last, so a reader that sees it sees the rest.</summary>
    public void Write(RecordState state, int length, int producer)
    {
        *(int*)(record + L.RecordLengthOffset) = length;
        *(int*)(record + L.RecordProducerOffset) = producer;
        *(int*)(record + L.RecordConsumerOffset) = 0;
        Volatile.Write(ref Word, state.Word);
    }

    /// <summary>Publishes the payload. The exchange is a full fence, so a sleeper count read after it is not stale
    /// (event-count pattern).</summary>
    public void Publish(RecordState claimed) => Interlocked.Exchange(ref Word, claimed.With(RecordStatus.Published).Word);

    /// <summary>Marks the record taken by <paramref name="consumer"/> (under the take word).</summary>
    public void MarkTaken(RecordState state, int consumer)
    {
        *(int*)(record + L.RecordConsumerOffset) = consumer;
        Volatile.Write(ref Word, state.With(RecordStatus.Taken).Word);
    }

    /// <summary>Zeroes the state word ("nothing here yet") of a header a producer is about to claim (see
    /// <see cref="RecordRing"/>'s Claim).</summary>
    public void Clear() => *(int*)(record + L.RecordStateOffset) = 0;

    public void MarkConsumed(RecordState state) => Volatile.Write(ref Word, state.With(RecordStatus.Consumed).Word);

    /// <summary>Moves the record from <paramref name="expected"/> to Consumed unless someone changed it first.</summary>
    public bool TryMarkConsumed(RecordState expected)
        => Interlocked.CompareExchange(ref Word, expected.With(RecordStatus.Consumed).Word, expected.Word) == expected.Word;
}
