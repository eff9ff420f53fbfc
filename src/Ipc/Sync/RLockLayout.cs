namespace NativeIpc.Sync;

/// <summary>Payload of an <see cref="IpcRLock"/> segment: the <see cref="LockLayout"/> words, then the recursion count
/// (touched only by the owning thread):
/// <code>
///  0                                 16          20        64
///  | LockLayout (word, thread, start) | recursion | padding |
///                                       i32
/// </code></summary>
internal static class RLockLayout
{
    public const int LockOffset = 0;
    public const int RecursionOffset = LockLayout.Size;
    public const int Size = 64;
}
