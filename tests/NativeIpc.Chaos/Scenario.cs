namespace NativeIpc.Chaos;

/// <summary>One kind of load: sets up its objects, starts participants, kills some of them for
/// <c>length</c>, then stops, drains and checks every invariant it knows.</summary>
internal abstract class Scenario
{
    public abstract string Name { get; }

    public abstract void Run(Episode e, TimeSpan length);

    /// <summary>A stop flag (a <see cref="ControlLayout"/> slot) as a participant reads it.</summary>
    protected static bool Stopped(SharedArray<long> ctl, int slot = ControlLayout.Stop) => Volatile.Read(ref ctl[slot]) != 0;

    /// <summary>A participant saw an invariant broken: counted where the parent looks, said on stderr.</summary>
    protected static void ChildViolation(SharedArray<long> ctl, string what)
    {
        Interlocked.Increment(ref ctl[ControlLayout.ChildViolations]);
        Console.Error.WriteLine($"chaos participant {Environment.ProcessId}: {what}");
    }

    /// <summary>Reads what the participants counted in <paramref name="ctl"/> into the run's figures.</summary>
    protected static void Collect(Episode e, SharedArray<long> ctl)
    {
        long v = ctl[ControlLayout.ChildViolations];
        if (v > 0) e.Violation($"{v} invariant break(s) seen by participants (their stderr says which)");
        long torn = ctl[ControlLayout.Torn];
        if (torn > 0) e.Violation($"{torn} torn item(s) delivered");
        long bad = ctl[ControlLayout.OutOfRange];
        if (bad > 0) e.Violation($"{bad} item(s) naming an incarnation or sequence that was never produced");
        e.Items(ctl[ControlLayout.Done]);
    }
}
