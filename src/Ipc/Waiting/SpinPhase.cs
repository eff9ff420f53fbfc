using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace NativeIpc.Waiting;

/// <summary>The spin half of spin-then-park: a bounded number of short pauses before a waiter sleeps. Each step is one
/// normalised pause (<see cref="Thread.SpinWait(int)"/> of 1, ~40 ns here), so a waiter looks at its word again within
/// ~40 ns of a change: the step is the detection latency of every spinning wake (it was ~360 ns with ten iterations a
/// step, ~180 ns added to each wake on average). Every so many steps a spinner yields the CPU, so a peer that is
/// runnable on this CPU (more processes than cores) gets to run instead of being spun against; how often adapts to
/// what the yields find (<see cref="Yield"/>).</summary>
internal struct SpinPhase
{
    /// <summary>Steps between yields while yields find the CPU free (~20 µs of pausing).</summary>
    public const int YieldEveryIdle = 512;

    /// <summary>Steps between yields while yields find other threads waiting for the CPU (~2.5 µs of pausing).</summary>
    public const int YieldEveryBusy = 64;

    /// <summary>A yield that took longer than this (in <see cref="Stopwatch"/> ticks: 2 µs) gave the CPU to someone.</summary>
    private static readonly long s_ranOtherTicks = Math.Max(1, Stopwatch.Frequency / 500_000);

    /// <summary>Steps between yields minus 1 (a power of two minus 1), this process-wide: busy after a yield that gave
    /// the CPU away, idle after one that did not.</summary>
    private static int s_yieldMask = YieldEveryIdle - 1;

    /// <summary>Iterations of <see cref="Thread.SpinWait(int)"/> in one step.</summary>
    public const int PauseIterations = 1;

    private readonly int _budget;
    private int _count;

    /// <summary>A spin phase of <paramref name="budget"/> steps (0: park at once).</summary>
    public SpinPhase(int budget) => _budget = budget;

    /// <summary>Steps taken so far.</summary>
    public readonly int Count => _count;

    /// <summary>True once the budget is spent: time to park.</summary>
    public readonly bool IsExhausted => _count >= _budget;

    /// <summary>Takes one step; false (and no pause) when the budget is spent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Spin()
    {
        if (_count >= _budget) return false;
        Pause(++_count);
        return true;
    }

    /// <summary>Starts the budget again (after progress was made).</summary>
    public void Reset() => _count = 0;

    /// <summary>One step of a spin loop numbered <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pause(int i)
    {
        if ((i & s_yieldMask) == 0) Yield();
        else Thread.SpinWait(PauseIterations);
    }

    /// <summary>Yields the CPU and learns from it. With more runnable threads than cores a spinner that yields rarely
    /// burns the slices its peers need (two producers and two consumers on two cores ran 1.5× slower per message
    /// yielding every ~20 µs than every ~2.5 µs); with spare cores, frequent yields only add system calls and tail
    /// latency to a spinning wake. A yield that returns at once found no one waiting for this CPU.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Yield()
    {
        long start = Stopwatch.GetTimestamp();
        Thread.Yield();
        s_yieldMask = Stopwatch.GetTimestamp() - start > s_ranOtherTicks ? YieldEveryBusy - 1 : YieldEveryIdle - 1;
    }
}
