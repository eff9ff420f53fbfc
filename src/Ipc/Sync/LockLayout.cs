namespace NativeIpc.Sync;

/// <summary>Payload of an <see cref="IpcLock"/> segment (and the first 16 bytes of an <see cref="IpcRLock"/>'s):
/// <code>
///  0            4              8                   16
///  | owner word | owner thread | owner start time  |
///    i32          i32            i64
/// </code>
/// <c>owner word</c> is the futex word: 0 when free, else the holder's pid, with <see cref="WaitersBit"/> set once a
/// waiter may be asleep (so release wakes only when needed). <c>owner start time</c> is the holder's process start
/// time (0: not yet written), so a recycled pid is not taken for the dead holder. <c>owner thread</c> is used by
/// <see cref="IpcRLock"/> only.</summary>
internal static class LockLayout
{
    public const int WordOffset = 0;
    public const int OwnerThreadOffset = 4;
    public const int StartTimeOffset = 8;
    public const int Size = 16;

    /// <summary>Set in the owner word while a waiter may sleep on it. Pids are below 2^22 on Linux, 2^32/4 on Windows.</summary>
    public const int WaitersBit = unchecked((int)0x80000000);
    public const int PidMask = ~WaitersBit;
}
