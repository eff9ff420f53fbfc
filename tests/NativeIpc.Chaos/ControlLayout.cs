namespace NativeIpc.Chaos;

/// <summary>Slots of an episode's control array (a <see cref="SharedArray{T}"/> of longs shared with its children):
/// stop flags the parent sets, and counters the children bump where a kill cannot lose what was already counted.</summary>
internal static class ControlLayout
{
    /// <summary>Nonzero: producers (writers, workers) stop after their current operation.</summary>
    public const int Stop = 0;
    /// <summary>Nonzero: consumers stop after their current take.</summary>
    public const int StopConsumers = 1;
    /// <summary>Items that failed their checksum (torn).</summary>
    public const int Torn = 2;
    /// <summary>Whole items naming an incarnation or sequence that cannot exist.</summary>
    public const int OutOfRange = 3;
    /// <summary>Invariant breaks a child saw (it also prints them to stderr).</summary>
    public const int ChildViolations = 4;
    /// <summary>Operations completed (critical sections, waits, rounds), for the items figure.</summary>
    public const int Done = 5;
    /// <summary>Abandoned-lock takeovers seen.</summary>
    public const int Abandoned = 6;
    /// <summary>Children that said they are set up.</summary>
    public const int Ready = 7;
    /// <summary>Number of slots.</summary>
    public const int Length = 8;
}
