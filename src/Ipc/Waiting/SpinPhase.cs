using System.Runtime.CompilerServices;

namespace NativeIpc.Waiting;

/// <summary>The spin half of spin-then-park: a bounded number of short pauses before a waiter sleeps. Each step is one
/// normalised pause (<see cref="Thread.SpinWait(int)"/> of 1, ~40 ns here), so a waiter looks at its word again within
/// ~40 ns of a change: the step is the detection latency of every spinning wake (it was ~360 ns with ten iterations a
/// step, ~180 ns added to each wake on average). Every <see cref="YieldEvery"/>th step yields the CPU, so a peer that
/// is runnable on this CPU (more processes than cores) gets to run instead of being spun against.</summary>
internal struct SpinPhase
{
    /// <summary>Steps between yields (~23 µs of pausing).</summary>
    public const int YieldEvery = 576;

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
        if (i % YieldEvery == 0) Thread.Yield();
        else Thread.SpinWait(PauseIterations);
    }
}
