using System.Runtime.CompilerServices;

namespace NativeIpc.Sync;

/// <summary>What pending async acquires of one lock must notice that no wake announces: the holder died (see
/// <see cref="LivenessWatch"/>). One watch per lock, shared by all its async waiters, so the parker tests the holder
/// once per slice however many acquires are pending; a positive answer makes the next step take the lock over
/// (<see cref="IpcAbandonedLockException"/>).</summary>
internal sealed unsafe class LockLivenessWatch : LivenessWatch
{
    private static readonly ConditionalWeakTable<SyncHandle, LockLivenessWatch> s_watches = [];

    private readonly SyncHandle _handle;
    private readonly int _lockOffset;

    private LockLivenessWatch(SyncHandle handle, int lockOffset)
    {
        _handle = handle;
        _lockOffset = lockOffset;
    }

    /// <summary>The watch of the lock at <paramref name="lockOffset"/> in <paramref name="handle"/>'s payload.</summary>
    public static LockLivenessWatch For(SyncHandle handle, int lockOffset)
    {
        var watch = s_watches.GetValue(handle, h => new LockLivenessWatch(h, lockOffset));
        return watch._lockOffset == lockOffset ? watch : new LockLivenessWatch(handle, lockOffset); // one lock per handle today
    }

    protected internal override bool FoundDead(LivenessLook look)
    {
        // Mapped, not Payload: the waits registered with this watch hold references, so the memory is there.
        int owner = Volatile.Read(ref *LockWord.Word(_handle.Mapped + _lockOffset)) & LockLayout.OwnerMask;
        return owner != 0 && !look.IsAlive(owner);
    }
}
