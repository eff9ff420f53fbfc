namespace NativeIpc.Sync;

/// <summary>Who owns a lock inside this process (the <c>owner thread</c> field of <see cref="LockLayout"/>): a
/// synchronous acquire records the managed thread id; an async acquire, whose continuation may run on any thread,
/// records a negative id of the caller's async flow (an <see cref="AsyncLocal{T}"/>, set synchronously in the public
/// method so it flows on in the caller after its <c>await</c>).</summary>
internal static class LockOwner
{
    private static readonly AsyncLocal<int> s_flow = new();
    private static int s_nextFlow;

    /// <summary>The caller's async-flow id, made on first use (negative, never a thread id).</summary>
    public static int Flow()
    {
        int id = s_flow.Value;
        if (id == 0) s_flow.Value = id = -(Interlocked.Increment(ref s_nextFlow) & 0x3FFF_FFFF) - 1;
        return id;
    }

    /// <summary>True if <paramref name="recorded"/> names the caller: its thread, or its async flow.</summary>
    public static bool IsCaller(int recorded)
        => recorded == Environment.CurrentManagedThreadId || (recorded < 0 && recorded == s_flow.Value);
}
