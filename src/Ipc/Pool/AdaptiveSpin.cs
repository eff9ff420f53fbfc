namespace NativeIpc.Pool;

/// <summary>A spin budget that follows whether spinning pays off. Where the peer answers within the spin (a CPU
/// each: an idle machine) every wait keeps the full budget; where it does not (more runnable threads than cores: the
/// spinner holds the CPU the peer needs) the budget halves at each wait that had to sleep, down to none, and a
/// full-budget probe every <see cref="ProbeEvery"/> waits notices when spinning pays again. Racing threads share one
/// without locks: a lost update only shifts the budget a step.</summary>
internal sealed class AdaptiveSpin
{
    /// <summary>Waits between full-budget probes once the budget is down to none.</summary>
    public const int ProbeEvery = 32;

    private int _shift; // the budget is the maximum shifted right by this
    private int _waits;

    /// <summary>The spin phase of the next wait, given the largest budget (<see cref="WaitTuning.QueueSpin"/> or a knob).</summary>
    public SpinPhase Start(int max)
    {
        int budget = max >> Math.Min(_shift, 31);
        if (budget == 0 && ++_waits % ProbeEvery == 0) budget = max;
        return new SpinPhase(budget);
    }

    /// <summary>Records how a wait ended: <paramref name="slept"/> when its spin ran out and it slept.</summary>
    public void Record(bool slept) => _shift = slept ? Math.Min(_shift + 1, 31) : 0;
}
