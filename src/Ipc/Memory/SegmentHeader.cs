namespace NativeIpc.Memory;

/// <summary>Writes and checks the header every segment starts with (<see cref="SegmentLayout"/>): the one place that
/// knows it. The creator writes every field, then the magic (so a visible magic means a complete header), then,
/// once the payload is initialised, the ready state. An attacher waits, bounded, through those steps and tells a
/// segment still being created ("not ready") from one that is not what it asked for ("mismatch").</summary>
internal static unsafe class SegmentHeader
{
    /// <summary>How long an attach waits for a segment's creator to finish by default.</summary>
    public static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Fills in the header of a freshly created, zeroed segment of <paramref name="totalSize"/> bytes.</summary>
    public static void Write(byte* b, SegmentKind kind, long totalSize, int creatorOwner, uint typeTag, int elementSize)
    {
        *(ushort*)(b + SegmentLayout.VersionOffset) = SegmentLayout.Version;
        *(ushort*)(b + SegmentLayout.KindOffset) = (ushort)kind;
        *(long*)(b + SegmentLayout.TotalSizeOffset) = totalSize;
        *(int*)(b + SegmentLayout.CreatorOwnerOffset) = creatorOwner;
        *(uint*)(b + SegmentLayout.TypeTagOffset) = typeTag;
        *(int*)(b + SegmentLayout.ElementSizeOffset) = elementSize;
        // Last, with release semantics: whoever sees the magic sees every field above.
        Volatile.Write(ref *(uint*)(b + SegmentLayout.MagicOffset), SegmentLayout.Magic);
    }

    /// <summary>Publishes the payload: attachers wait for this before they read.</summary>
    public static void MarkReady(byte* b) => Volatile.Write(ref *(int*)(b + SegmentLayout.StateOffset), SegmentLayout.StateReady);

    /// <summary>True when a mapping of <paramref name="mappedLength"/> bytes may still be a segment whose creator has
    /// not sized it yet (shm_open creates the name empty; the size follows).</summary>
    public static bool MayBeUnsized(long mappedLength) => mappedLength == 0;

    /// <summary>Where a mapped segment stands, as far as its header says.</summary>
    public enum Progress
    {
        /// <summary>The creator has not written the header yet.</summary>
        NoHeader,
        /// <summary>The header is complete and matches; the payload is not published yet.</summary>
        Initialising,
        /// <summary>The header matches and the creator marked the segment ready.</summary>
        Ready,
    }

    /// <summary>Checks the header of <paramref name="name"/>, mapped at <paramref name="b"/> over
    /// <paramref name="mappedLength"/> bytes (at least the header). Throws <see cref="IpcSegmentMismatchException"/>
    /// for anything that is not the NativeIpc segment asked for; otherwise says how far its creator got and, once
    /// the header is there, the segment's size.</summary>
    public static Progress Check(byte* b, long mappedLength, string name, SegmentKind expectedKind, uint typeTag, string? typeName, out long totalSize)
    {
        totalSize = 0;
        uint magic = Volatile.Read(ref *(uint*)(b + SegmentLayout.MagicOffset));
        if (magic == 0) return Progress.NoHeader; // the creator has not got this far yet (or never will: the wait is bounded)
        if (magic != SegmentLayout.Magic)
            throw new IpcSegmentMismatchException($"'{name}' is not a NativeIpc segment (no NativeIpc header).");
        ushort version = *(ushort*)(b + SegmentLayout.VersionOffset);
        if (version != SegmentLayout.Version)
            throw new IpcSegmentMismatchException($"'{name}' has layout version {version}; this NativeIpc reads version {SegmentLayout.Version}.");
        var kind = (SegmentKind)(*(ushort*)(b + SegmentLayout.KindOffset));
        if (kind != expectedKind)
            throw new IpcSegmentMismatchException($"'{name}' holds a {kind}, not a {expectedKind}.");
        long total = *(long*)(b + SegmentLayout.TotalSizeOffset);
        // The mapping may be longer (Windows maps whole pages), never shorter: the header's size is the segment's.
        if (total < SegmentLayout.HeaderSize || total > mappedLength)
            throw new IpcSegmentMismatchException($"'{name}' is {mappedLength} bytes but its header says {total}: corrupt or truncated.");
        uint tag = *(uint*)(b + SegmentLayout.TypeTagOffset);
        if (typeTag != 0 && tag != typeTag)
            throw new IpcSegmentMismatchException($"'{name}' was created for another element type than {typeName ?? "the one requested"}.");
        totalSize = total;
        return Volatile.Read(ref *(int*)(b + SegmentLayout.StateOffset)) == SegmentLayout.StateReady ? Progress.Ready : Progress.Initialising;
    }

    /// <summary>The owner id of the process that created the segment (0 before its header is written).</summary>
    public static int CreatorOwner(byte* b) => *(int*)(b + SegmentLayout.CreatorOwnerOffset);

    /// <summary>The element size the creator recorded.</summary>
    public static int ElementSize(byte* b) => *(int*)(b + SegmentLayout.ElementSizeOffset);

    /// <summary>The kind the creator recorded.</summary>
    public static SegmentKind Kind(byte* b) => (SegmentKind)(*(ushort*)(b + SegmentLayout.KindOffset));

    /// <summary>The error for a segment that never became ready in time.</summary>
    public static IpcSegmentNotReadyException NotReady(string name, TimeSpan waited, int creatorOwner)
        => new($"Shared segment '{name}' is not ready (creator still initialising or died while creating): " +
               $"it was not marked ready within {waited.TotalMilliseconds:0} ms" +
               (creatorOwner != 0 ? $" (creator {creatorOwner})." : "."));
}
