namespace NativeIpc.Chaos;

/// <summary>Slots of the lock scenario's state array, all written under the <see cref="IpcLock"/>.</summary>
internal static class ChaosLockLayout
{
    /// <summary>Incremented first in each critical section.</summary>
    public const int A = 0;
    /// <summary>Incremented last: equal to <see cref="A"/> whenever nobody is inside (or a holder was killed inside).</summary>
    public const int B = 1;
    /// <summary>Incarnation of the participant inside, checked again before leaving.</summary>
    public const int Token = 2;
    /// <summary>Number of slots.</summary>
    public const int Length = 3;
}
