namespace NativeIpc.Sync;

/// <summary>Payload of an <see cref="IpcEvent"/> segment:
/// <code>
///  0      4          8
///  | flag | sleepers |
///    i32    i32
/// </code>
/// <c>flag</c> (0 clear, 1 set) is the futex word; <c>sleepers</c> counts waiters that may be asleep.</summary>
internal static class EventLayout
{
    public const int FlagOffset = 0;
    public const int SleepersOffset = 4;
    public const int Size = 64;
}
