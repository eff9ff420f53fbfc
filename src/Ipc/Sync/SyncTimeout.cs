using System.Diagnostics;

namespace NativeIpc.Sync;

/// <summary>Timeout arguments of the sync primitives: null or <see cref="Timeout.InfiniteTimeSpan"/> mean no limit;
/// any other negative value is an error. Deadlines are kept in <see cref="Stopwatch"/> ticks.</summary>
internal readonly struct SyncTimeout
{
    private readonly long _deadline; // Stopwatch timestamp; long.MaxValue = never

    private SyncTimeout(long deadline) => _deadline = deadline;

    public static SyncTimeout Infinite => new(long.MaxValue);

    public bool IsInfinite => _deadline == long.MaxValue;

    public static SyncTimeout From(TimeSpan? timeout, string paramName = "timeout")
    {
        if (timeout is not { } t || t == Timeout.InfiniteTimeSpan) return Infinite;
        if (t < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(paramName, t, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
        if (t.TotalMilliseconds > int.MaxValue) return Infinite;
        return new(Stopwatch.GetTimestamp() + (long)(t.TotalSeconds * Stopwatch.Frequency));
    }

    public bool Expired => _deadline != long.MaxValue && Stopwatch.GetTimestamp() >= _deadline;

    /// <summary>Milliseconds to sleep now: the remaining time, capped at <paramref name="slice"/> (rounded up so a
    /// short remaining time still sleeps).</summary>
    public int SliceMs(int slice)
    {
        if (_deadline == long.MaxValue) return slice;
        long left = _deadline - Stopwatch.GetTimestamp();
        if (left <= 0) return 0;
        long ms = (left * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
        return (int)Math.Min(ms, slice);
    }
}
