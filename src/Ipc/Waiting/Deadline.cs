using System.Diagnostics;

namespace NativeIpc.Waiting;

/// <summary>The moment a wait gives up, in <see cref="Stopwatch"/> ticks. Every blocking call turns its timeout
/// argument into one of these once, at entry, so every retry and slice inside it shares one deadline.</summary>
/// <remarks>Timeout arguments follow one rule across the library: <c>null</c> or <see cref="Timeout.InfiniteTimeSpan"/>
/// (or anything of <see cref="int.MaxValue"/> ms or more) means no limit; <see cref="TimeSpan.Zero"/> means "do not
/// block"; any other negative value is an <see cref="ArgumentOutOfRangeException"/>.</remarks>
internal readonly struct Deadline
{
    private readonly long _at; // Stopwatch timestamp; long.MaxValue = never

    private Deadline(long at) => _at = at;

    /// <summary>Never passes.</summary>
    public static Deadline Infinite => new(long.MaxValue);

    /// <summary>Already passed: a wait with it makes one attempt and does not block.</summary>
    public static Deadline Expired => new(long.MinValue);

    /// <summary>The deadline for a timeout argument (see the type's remarks for the rule); reads the clock only for a
    /// finite, non-zero timeout (see <see cref="WaitLimit"/> to try first and read it only when about to wait).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public static Deadline From(TimeSpan? timeout, string paramName = "timeout") => WaitLimit.From(timeout, paramName).Start();

    /// <summary>The deadline <paramref name="ticks"/> <see cref="Stopwatch"/> ticks from now.</summary>
    public static Deadline AfterTicks(long ticks) => new(Stopwatch.GetTimestamp() + ticks);

    /// <summary>The deadline <paramref name="milliseconds"/> from now; -1 is no limit.</summary>
    public static Deadline FromMilliseconds(int milliseconds, string paramName = "millisecondsTimeout")
    {
        if (milliseconds == Timeout.Infinite) return Infinite;
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds, paramName);
        return From(TimeSpan.FromMilliseconds(milliseconds), paramName);
    }

    /// <summary>The deadline as a <see cref="Stopwatch"/> timestamp (<see cref="long.MaxValue"/>: never).</summary>
    public long Timestamp => _at;

    /// <summary>The earlier of this deadline and <paramref name="milliseconds"/> from now.</summary>
    public long TimestampCappedAt(int milliseconds)
    {
        long cap = Stopwatch.GetTimestamp() + milliseconds * Stopwatch.Frequency / 1000;
        return Math.Min(_at, cap);
    }

    /// <summary>True for <see cref="Infinite"/>.</summary>
    public bool IsInfinite => _at == long.MaxValue;

    /// <summary>True once the deadline is reached.</summary>
    public bool HasPassed => _at != long.MaxValue && (_at == long.MinValue || Stopwatch.GetTimestamp() >= _at);

    /// <summary>The earlier of this deadline and <paramref name="milliseconds"/> from now (a liveness slice).</summary>
    public Deadline CappedAt(int milliseconds) => new(TimestampCappedAt(milliseconds));

    /// <summary>Time left (zero once passed; <see cref="Timeout.InfiniteTimeSpan"/> when infinite).</summary>
    public TimeSpan Remaining
    {
        get
        {
            if (IsInfinite) return Timeout.InfiniteTimeSpan;
            long left = _at - Stopwatch.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, left);
        }
    }

    /// <summary>The millisecond argument of <see cref="Task.Wait(int)"/>, <see cref="Thread.Join(int)"/> and
    /// <see cref="Monitor.Wait(object, int)"/>: <see cref="Timeout.Infinite"/> for no limit, else the milliseconds
    /// left (0 once passed).</summary>
    public int RemainingMilliseconds => IsInfinite ? Timeout.Infinite : SliceMs(int.MaxValue);

    /// <summary>Milliseconds to sleep now: the time left capped at <paramref name="cap"/> (rounded up, so a short
    /// remainder still sleeps); 0 once passed.</summary>
    public int SliceMs(int cap)
    {
        if (_at == long.MaxValue) return cap;
        if (_at == long.MinValue) return 0;
        long left = _at - Stopwatch.GetTimestamp();
        if (left <= 0) return 0;
        long ms = (left * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
        return (int)Math.Min(ms, cap);
    }

    /// <summary>Throws the library's one timeout exception for an operation that ran out of time.</summary>
    public static TimeoutException TimedOut(string what) => new($"{what} timed out.");
}
