namespace NativeIpc.Sync;

/// <summary>Payload of an <see cref="IpcSemaphore"/> / <see cref="IpcBoundedSemaphore"/> segment:
/// <code>
///  0       4         8            12
///  | count | sleepers | max value |
///    i32     i32        i32 (int.MaxValue when unbounded)
/// </code>
/// <c>count</c> is the futex word; <c>sleepers</c> counts waiters that may be asleep, so release wakes only when needed.</summary>
internal static class SemaphoreLayout
{
    public const int CountOffset = 0;
    public const int SleepersOffset = 4;
    public const int MaxValueOffset = 8;
    public const int Size = 64;
}
