namespace NativeIpc.Chaos;

/// <summary>Bytes of one chaos item (a queue item, a pipe message):
/// <code>
/// 0        4              12       16             24
/// | inc    | sequence     | length | checksum     | payload (length bytes, derived from inc and sequence) |
/// </code>
/// The checksum covers bytes 0..16 and the payload, so a torn or mixed-up item never passes as whole.</summary>
internal static class ItemLayout
{
    public const int IncarnationOffset = 0;
    public const int SequenceOffset = 4;
    public const int LengthOffset = 12;
    public const int ChecksumOffset = 16;
    public const int HeaderSize = 24;
}
