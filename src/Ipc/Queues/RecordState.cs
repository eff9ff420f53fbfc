namespace NativeIpc.Queues;

/// <summary>Where a record is in its life (bits 0-7 of its state word). A zeroed header (0) is no state at all.</summary>
internal enum RecordStatus
{
    /// <summary>Header written, payload being copied by the producer.</summary>
    Claimed = 1,

    /// <summary>Payload complete: a consumer may take it.</summary>
    Published = 2,

    /// <summary>A consumer is copying it out (its owner id is in the header).</summary>
    Taken = 3,

    /// <summary>Done with: its space may be reused once <c>released</c> passes it.</summary>
    Consumed = 4,
}

/// <summary>What a record carries (bits 8-15 of its state word).</summary>
internal enum RecordKind
{
    /// <summary>A whole message.</summary>
    Whole = 0,

    /// <summary>Filler up to the ring end, so no record is split by it.</summary>
    Padding = 1,

    /// <summary>First chunk of a message larger than one record; its payload starts with the total length.</summary>
    First = 2,

    /// <summary>A chunk between First and Last.</summary>
    Middle = 3,

    /// <summary>Last chunk of a chunked message.</summary>
    Last = 4,
}

/// <summary>A decoded record state word (<see cref="QueueLayout"/>): status, kind, and for counted records the low
/// bits of the message number.</summary>
internal readonly struct RecordState(int word)
{
    private const int StatusMask = 0xFF;
    private const int KindShift = 8;
    private const int NumberShift = 16;

    /// <summary>The raw word, as read from shared memory.</summary>
    public int Word => word;

    public RecordStatus Status => (RecordStatus)(word & StatusMask);

    public RecordKind Kind => (RecordKind)((word >> KindShift) & StatusMask);

    /// <summary>Low <see cref="QueueLayout.NumberBits"/> bits of the message number (Whole and First records).</summary>
    public int Number => (int)((uint)word >> NumberShift);

    /// <summary>True when status and kind are ones this layout defines (anything else was written by a broken peer).</summary>
    public bool IsValid => Status is >= RecordStatus.Claimed and <= RecordStatus.Consumed && Kind is >= RecordKind.Whole and <= RecordKind.Last;

    /// <summary>Whole and First records are messages: they are numbered and counted.</summary>
    public bool IsCounted => Kind is RecordKind.Whole or RecordKind.First;

    /// <summary>The same record in another status (kind and number kept).</summary>
    public RecordState With(RecordStatus status) => new((word & ~StatusMask) | (int)status);

    public static RecordState Make(RecordStatus status, RecordKind kind, long number)
        => new((int)status | ((int)kind << KindShift) | (int)((number & QueueLayout.NumberMask) << NumberShift));

    public override string ToString() => $"{Status} {Kind} #{Number}";
}
