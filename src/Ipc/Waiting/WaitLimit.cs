using System.Diagnostics;

namespace NativeIpc.Waiting;

/// <summary>A checked timeout argument that has not started running: how long a call may wait, not yet when it
/// gives up. A call makes its first attempt with it (no clock read: on a VM a clock read costs as much as a
/// queue operation) and turns it into a <see cref="Deadline"/> with <see cref="Start"/> only when it has to wait.</summary>
/// <remarks>The rule for timeout arguments is <see cref="Deadline"/>'s: null, <see cref="Timeout.InfiniteTimeSpan"/>
/// or <see cref="int.MaxValue"/> ms or more: no limit; zero: do not block; other negatives:
/// <see cref="ArgumentOutOfRangeException"/>.</remarks>
internal readonly struct WaitLimit
{
    private readonly long _ticks; // Stopwatch ticks to wait; long.MaxValue: no limit; 0: do not block

    private WaitLimit(long ticks) => _ticks = ticks;

    /// <summary>No limit.</summary>
    public static WaitLimit Infinite => new(long.MaxValue);

    /// <summary>Do not block.</summary>
    public static WaitLimit Zero => new(0);

    /// <summary>The limit for a timeout argument (see the type's remarks).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static WaitLimit From(TimeSpan? timeout, string paramName = "timeout")
    {
        if (!timeout.HasValue) return Infinite;
        long ticks = timeout.GetValueOrDefault().Ticks;
        if (ticks == 0) return Zero;
        return ticks > 0 && ticks < MaxTimeSpanTicks ? new(ToStopwatchTicks(ticks)) : Unusual(ticks, paramName);
    }

    // int.MaxValue ms and more counts as no limit (the rule shared with Deadline); ticks * Frequency must not overflow.
    private const long MaxTimeSpanTicks = int.MaxValue * TimeSpan.TicksPerMillisecond;

    private static readonly long s_perTimeSpanTick = Stopwatch.Frequency % TimeSpan.TicksPerSecond == 0 ? Stopwatch.Frequency / TimeSpan.TicksPerSecond : 0;

    private static long ToStopwatchTicks(long ticks)
        => s_perTimeSpanTick != 0 ? ticks * s_perTimeSpanTick : Math.Max(1, (long)(ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond)));

    private static WaitLimit Unusual(long ticks, string paramName)
    {
        if (ticks == Timeout.InfiniteTimeSpan.Ticks || ticks >= MaxTimeSpanTicks) return Infinite;
        throw new ArgumentOutOfRangeException(paramName, TimeSpan.FromTicks(ticks), "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
    }

    /// <summary>The time left until <paramref name="deadline"/>, as a limit (for a call made on behalf of a caller
    /// whose deadline is already running).</summary>
    public static WaitLimit Until(Deadline deadline)
    {
        if (deadline.IsInfinite) return Infinite;
        long left = deadline.Timestamp - Stopwatch.GetTimestamp();
        return left <= 0 ? Zero : new(left);
    }

    /// <summary>True for "do not block".</summary>
    public bool IsZero => _ticks == 0;

    /// <summary>True for no limit.</summary>
    public bool IsInfinite => _ticks == long.MaxValue;

    /// <summary>True for a finite, non-zero limit: the one case where <see cref="Start"/> reads the clock, so a call
    /// tries once without waiting first.</summary>
    public bool IsBounded => _ticks != 0 && _ticks != long.MaxValue;

    /// <summary>The deadline of a wait starting now (reads the clock only for a bounded limit).</summary>
    public Deadline Start() => _ticks switch
    {
        long.MaxValue => Deadline.Infinite,
        0 => Deadline.Expired,
        _ => Deadline.AfterTicks(_ticks),
    };
}
