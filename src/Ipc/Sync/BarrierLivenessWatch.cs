namespace NativeIpc.Sync;

/// <summary>What pending async barrier waits must notice that no wake announces: the process running the barrier
/// action died mid-round (see <see cref="LivenessWatch"/>); the next step then breaks the round. One per barrier
/// object, shared by its async waits.</summary>
internal sealed unsafe class BarrierLivenessWatch(SyncHandle handle) : LivenessWatch
{
    protected internal override bool FoundDead(LivenessLook look)
    {
        byte* p = handle.Mapped; // the waits registered with this watch hold references
        int state = Volatile.Read(ref *(int*)(p + BarrierLayout.StateOffset));
        if ((state & BarrierLayout.CountMask) < Volatile.Read(ref *(int*)(p + BarrierLayout.PartiesOffset))) return false;
        int owner = Volatile.Read(ref *(int*)(p + BarrierLayout.ActionOwnerOffset));
        return owner != 0 && !look.IsAlive(owner);
    }
}
