namespace NativeIpc.Memory;

/// <summary>Payload of a <see cref="SharedValue{T}"/> segment (after <see cref="SegmentLayout"/>'s header):
/// <code>
///  0             sizeof(T)                  64
///  | value (T)   | padding to a cache line  |
/// </code>
/// The value starts the payload, which is cache-line aligned, so every supported atomic width is naturally aligned;
/// the padding keeps it off any neighbour's cache line.</summary>
internal static class ValueLayout
{
    public const int ValueOffset = 0;

    /// <summary>Payload bytes for a value of <paramref name="valueSize"/> bytes: whole cache lines.</summary>
    public static long PayloadSize(int valueSize)
        => (ValueOffset + valueSize + SegmentLayout.CacheLine - 1) / SegmentLayout.CacheLine * SegmentLayout.CacheLine;
}
