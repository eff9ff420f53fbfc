namespace NativeIpc.Chaos;

/// <summary>How long anything may wait before it counts as a hang. Generous: the machine may be shared and
/// oversubscribed; a real hang waits forever, so a long limit still catches it.</summary>
internal static class Limits
{
    /// <summary>A participant's own blocking call.</summary>
    public static readonly TimeSpan ChildWait = TimeSpan.FromSeconds(30);

    /// <summary>The parent waiting for a participant to exit (longer than <see cref="ChildWait"/>, so the child's own
    /// limit reports first and says what hung).</summary>
    public static readonly TimeSpan Join = TimeSpan.FromSeconds(60);

    /// <summary>Something that must happen "within moments" (a dead owner seen dead, a tracker removing names).</summary>
    public static readonly TimeSpan Moments = TimeSpan.FromSeconds(10);
}
