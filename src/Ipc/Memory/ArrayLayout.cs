namespace NativeIpc.Memory;

/// <summary>Payload of a <see cref="SharedArray{T}"/> segment (after <see cref="SegmentLayout"/>'s header):
/// <code>
///  0                                        length * sizeof(T)
///  | element 0 | element 1 | ... | element n-1 |
/// </code>
/// The length is not stored: it is the payload size (header's total size minus the header) over the element size
/// the header records, so it cannot disagree with the mapping.</summary>
internal static class ArrayLayout
{
    public const int ElementsOffset = 0;

    public static long PayloadSize(int length, int elementSize) => ElementsOffset + (long)length * elementSize;

    public static int Length(long payloadLength, int elementSize) => checked((int)((payloadLength - ElementsOffset) / elementSize));
}
