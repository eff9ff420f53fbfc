namespace NativeIpc.Chaos;

/// <summary>Exit codes of chaos participants (besides 0 and -9 for SIGKILL).</summary>
internal static class ExitCodes
{
    /// <summary>A wait with the participant's own limit (<see cref="Limits.ChildWait"/>) ran out: a hang.</summary>
    public const int Hang = 3;
    /// <summary>The participant saw an invariant broken (details on its stderr).</summary>
    public const int Violation = 4;
    /// <summary>A barrier party saw the barrier broken (expected after a kill).</summary>
    public const int Broken = 5;
}
