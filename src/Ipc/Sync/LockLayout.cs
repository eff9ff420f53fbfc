namespace NativeIpc.Sync;

/// <summary>Payload of an <see cref="IpcLock"/> segment (and the first 16 bytes of an <see cref="IpcRLock"/>'s):
/// <code>
///  0            4              8          16
///  | owner word | owner thread | reserved |
///    i32          i32            8 bytes (zero)
/// </code>
/// <c>owner word</c> is the futex word: 0 when free, else the holder's owner id
/// (<see cref="ProcessLiveness.Self"/>, which names one process for good, so nothing else is read to tell a dead
/// holder from a live one), with <see cref="WaitersBit"/> set once a waiter may be asleep (so release wakes only when
/// needed). <c>owner thread</c> is used by <see cref="IpcRLock"/> only: the owning thread's managed id, or a negative
/// async-flow id when the lock was taken by <see cref="IpcRLock.AcquireAsync"/>. The reserved bytes once held the
/// holder's start time; they are no longer read or written.</summary>
internal static class LockLayout
{
    public const int WordOffset = 0;
    public const int OwnerThreadOffset = 4;
    public const int Size = 16;

    /// <summary>Set in the owner word while a waiter may sleep on it (owner ids stay below 2^30).</summary>
    public const int WaitersBit = unchecked((int)0x80000000);

    /// <summary>The owner id in the owner word.</summary>
    public const int OwnerMask = ~WaitersBit;
}
