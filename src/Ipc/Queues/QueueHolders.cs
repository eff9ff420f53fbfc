using L = NativeIpc.Queues.QueueLayout;

namespace NativeIpc.Queues;

/// <summary>Which processes may still put into a queue: a table of owner ids (<see cref="ProcessLiveness.Self"/>) with
/// a hold count each, in the queue's control block (<see cref="QueueLayout"/>). A process holds the queue from the
/// moment it creates or attaches it — a child from the moment it is spawned with it — until it calls
/// <c>Close()</c> or <c>Dispose()</c>, or dies. When no live process holds it, the stream has ended: consumers drain
/// what is there, then see the end, as with a pipe whose writers all closed.</summary>
internal readonly unsafe struct QueueHolders(byte* control)
{
    private static readonly Lock s_gate = new(); // holds of one process are counted in one slot

    private int* Slot(int i) => (int*)(control + L.HolderSlotsOffset + i * L.HolderSlotSize);

    private ref int Tracking => ref *(int*)(control + L.HolderTrackingOffset);

    private ref int Overflow => ref *(int*)(control + L.HolderOverflowOffset);

    /// <summary>Adds one hold for <paramref name="owner"/>.</summary>
    public void Hold(int owner)
    {
        lock (s_gate)
        {
            Volatile.Write(ref Tracking, 1);
            for (int i = 0; i < L.HolderSlots; i++)
            {
                int* s = Slot(i);
                if (Volatile.Read(ref *s) == owner) { Interlocked.Increment(ref s[1]); return; }
            }
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i < L.HolderSlots; i++)
                {
                    int* s = Slot(i);
                    int cur = Volatile.Read(ref *s);
                    // First pass: free slots; second: slots of dead processes, which never dropped their hold.
                    bool free = pass == 0 ? cur == 0 : cur != 0 && !ProcessLiveness.IsAlive(cur);
                    if (free && Interlocked.CompareExchange(ref *s, owner, cur) == cur)
                    {
                        Volatile.Write(ref s[1], 1);
                        return;
                    }
                }
            }
            // Every slot is held by a live process: stop judging the end by holders (Complete() still ends it).
            Volatile.Write(ref Overflow, 1);
        }
    }

    /// <summary>Drops one hold of <paramref name="owner"/>; true when no process holds the queue any more.</summary>
    public bool Release(int owner)
    {
        lock (s_gate)
        {
            for (int i = 0; i < L.HolderSlots; i++)
            {
                int* s = Slot(i);
                if (Volatile.Read(ref *s) == owner && Interlocked.Decrement(ref s[1]) <= 0)
                    Interlocked.CompareExchange(ref *s, 0, owner);
            }
        }
        return NoneLeft(checkLiveness: false);
    }

    /// <summary>True when holders are tracked and none is left (with <paramref name="checkLiveness"/>, dead ones do
    /// not count; without, any recorded holder counts).</summary>
    public bool NoneLeft(bool checkLiveness)
    {
        if (Volatile.Read(ref Tracking) == 0 || Volatile.Read(ref Overflow) != 0) return false;
        for (int i = 0; i < L.HolderSlots; i++)
        {
            int owner = Volatile.Read(ref *Slot(i));
            if (owner != 0 && (!checkLiveness || ProcessLiveness.IsAlive(owner))) return false;
        }
        return true;
    }

    /// <summary><see cref="NoneLeft"/> with liveness judged by a parker's <paramref name="look"/> (memoised answers).</summary>
    public bool NoneAlive(LivenessLook look)
    {
        if (Volatile.Read(ref Tracking) == 0 || Volatile.Read(ref Overflow) != 0) return false;
        for (int i = 0; i < L.HolderSlots; i++)
        {
            int owner = Volatile.Read(ref *Slot(i));
            if (owner != 0 && look.IsAlive(owner)) return false;
        }
        return true;
    }
}
