namespace NativeIpc.Pool;

/// <summary>The pool's shared table of cancelled task ids, which workers read before running a task.
/// <code>
/// i64[Entries]: entry (id &amp; Mask) = the last cancelled task id that maps there; 0: none
/// </code>
/// A worker skips a task only when its entry holds exactly its id, so a stale or colliding entry never skips a live
/// task: at worst two cancelled ids that collide let the older run (its result is discarded). Queued ids span far
/// fewer than <see cref="Entries"/> at a time, so that does not happen in practice.</summary>
internal static class CancelTableLayout
{
    public const int Entries = 1 << 16;
    public const long Mask = Entries - 1;

    public static int IndexOf(long taskId) => (int)(taskId & Mask);
}
