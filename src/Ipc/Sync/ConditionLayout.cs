namespace NativeIpc.Sync;

/// <summary>Payload of an <see cref="IpcCondition"/> segment (its lock is a segment of its own):
/// <code>
///  0     4         8         12
///  | seq | waiters | signals |
///    i32   i32       i32
/// </code>
/// <c>seq</c> is the futex word, bumped by every notify. <c>waiters</c> counts waiters not yet notified, <c>signals</c>
/// the notifications granted but not yet consumed; notify moves counts from the first to the second (under the lock),
/// a waiter leaves by consuming a signal (notified) or, on timeout, decrementing <c>waiters</c>.</summary>
internal static class ConditionLayout
{
    public const int SeqOffset = 0;
    public const int WaitersOffset = 4;
    public const int SignalsOffset = 8;
    public const int Size = 64;
}
