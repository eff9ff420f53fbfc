namespace NativeIpc.Memory;

/// <summary>The header every NativeIpc shared segment starts with (one cache line), then the payload:
/// <code>
///  0       4         6      8            16            20         24          28      32         64
///  | magic | version | kind | total size | creator     | type tag | elem size | state | reserved | payload...
///  "NIPS"    u16       u16    i64          i32 owner id  u32        i32         i32
/// </code>
/// <c>creator</c> is the creating process's <see cref="ProcessLiveness.Self"/>; <c>type tag</c> identifies the element
/// type (e.g. the T of SharedArray&lt;T&gt;); <c>state</c> turns Ready once the creator has initialised the payload.
/// <see cref="SegmentHeader"/> writes and checks these fields; nothing else does.</summary>
internal static class SegmentLayout
{
    public const uint Magic = 0x5350494E; // "NIPS" little-endian
    /// <summary>Raised whenever a segment's shared layout or protocol changes, so processes of builds that would
    /// misread each other refuse to attach (<see cref="IpcSegmentMismatchException"/>) instead of corrupting data.
    /// 2: a record ring's producer clears the state word at the new tail, which the consumer relies on.</summary>
    public const ushort Version = 2;

    public const int MagicOffset = 0;
    public const int VersionOffset = 4;
    public const int KindOffset = 6;
    public const int TotalSizeOffset = 8;
    public const int CreatorOwnerOffset = 16;
    public const int TypeTagOffset = 20;
    public const int ElementSizeOffset = 24;
    public const int StateOffset = 28;
    public const int HeaderSize = 64;
    public const int PayloadOffset = HeaderSize;

    /// <summary>Largest payload: header and payload together must fit a 64-bit file size.</summary>
    public const long MaxPayloadSize = long.MaxValue - HeaderSize;

    public const int StateInitializing = 0;
    public const int StateReady = 1;

    /// <summary>Cache line size used to keep hot words of different writers apart.</summary>
    public const int CacheLine = 64;
}
