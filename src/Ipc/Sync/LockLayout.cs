namespace NativeIpc.Sync;

/// <summary>Payload of an <see cref="IpcLock"/> segment (and the first 16 bytes of an <see cref="IpcRLock"/>'s):
/// <code>
///  0            4              8            12         16
///  | owner word | owner thread | holder pid | reserved |
///    i32          i32            i32          i32
/// </code>
/// <c>owner word</c> is the futex word: 0 when free, else the holder's owner id (<see cref="ProcessLiveness"/>, which
/// survives pid reuse and pid namespaces), with <see cref="WaitersBit"/> set once a waiter may be asleep (so release
/// wakes only when needed). <c>holder pid</c> is informational only (reported in
/// <see cref="IpcAbandonedLockException.DeadOwnerPid"/>), never used to decide liveness. <c>owner thread</c> is used
/// by <see cref="IpcRLock"/> only.</summary>
internal static class LockLayout
{
    public const int WordOffset = 0;
    public const int OwnerThreadOffset = 4;
    public const int HolderPidOffset = 8;
    public const int Size = 16;

    /// <summary>Set in the owner word while a waiter may sleep on it (owner ids fit in <see cref="ProcessLiveness.OwnerMask"/>).</summary>
    public const int WaitersBit = unchecked((int)0x80000000);

    /// <summary>The owner id in the owner word.</summary>
    public const int OwnerMask = ~WaitersBit;
}
