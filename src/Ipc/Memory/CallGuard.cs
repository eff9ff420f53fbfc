using System.Runtime.CompilerServices;

namespace NativeIpc.Memory;

/// <summary>Keeps a <see cref="SharedSegment"/> mapped for the length of one synchronous call without an interlocked
/// instruction: the calling thread publishes the segment in a per-thread slot (a plain store), then reads the
/// disposed bit (a plain load). The one who would unmap (<see cref="SharedSegment"/> after <c>Dispose</c>) first runs a
/// process-wide memory barrier and then looks for the segment in every thread's slots (<see cref="IsHeld"/>); while it
/// is there, unmapping is left to that thread, which checks the bit again when it leaves.</summary>
/// <remarks>Why it is sound (an asymmetric Dekker, as in hazard pointers with membarrier): the process-wide barrier
/// makes every thread's earlier stores visible; so either a caller's publish is seen by the scan, or the caller's
/// later load of the disposed bit (set before the barrier) sees it set and the caller backs off. The JIT does not
/// reorder a volatile load above a volatile store. Slots nest LIFO (one call inside another on the same thread, e.g.
/// a serializer that touches another segment); past <see cref="Depth"/> levels a call falls back to a counted
/// reference. A slot holds the segment's <see cref="SharedSegment.GuardId"/>, not a reference: a plain store of a
/// long needs no GC write barrier. Only for calls that enter and leave on one thread: an async wait holds a counted reference instead
/// (<see cref="SharedSegment.TryEnter"/>).</remarks>
internal sealed class CallGuard
{
    /// <summary>Nesting levels held in slots; deeper calls take a counted reference.</summary>
    public const int Depth = 8;

    [ThreadStatic] private static CallGuard? t_guard;

    private static readonly Lock s_gate = new();
    private static readonly List<WeakReference<CallGuard>> s_all = [];

    [InlineArray(Depth)]
    private struct Slots
    {
        private long _slot; // a SharedSegment.GuardId, 0: empty
    }

    private Slots _slots;
    private int _depth;

    /// <summary>Publishes <paramref name="segment"/> as in use by this thread; false (nothing held) once it is disposed.
    /// <paramref name="guard"/> is this thread's guard, for <see cref="Exit"/>: a call reads the thread-static slot once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryEnter(SharedSegment segment, out CallGuard guard)
    {
        var g = guard = t_guard ?? Register();
        int d = g._depth;
        if (d >= Depth) return EnterCounted(g, segment);
        Volatile.Write(ref g._slots[d], segment.GuardId);
        if (segment.IsDisposed)
        {
            Volatile.Write(ref g._slots[d], 0);
            segment.UnmapIfUnused(); // a scan may have seen our slot and left the unmapping to us
            return false;
        }
        g._depth = d + 1;
        return true;
    }

    /// <summary>Ends the call entered by <see cref="TryEnter"/> (same thread, innermost first) with the
    /// <paramref name="guard"/> it handed out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(SharedSegment segment, CallGuard guard)
    {
        var g = guard;
        int d = --g._depth;
        if (d >= Depth)
        {
            segment.Exit();
            return;
        }
        Volatile.Write(ref g._slots[d], 0);
        if (segment.IsDisposed) segment.UnmapIfUnused();
    }

    private static bool EnterCounted(CallGuard g, SharedSegment segment)
    {
        if (!segment.TryEnter()) return false;
        g._depth++;
        return true;
    }

    /// <summary>True when some thread has <paramref name="segment"/> published. Call only after
    /// <see cref="Interlocked.MemoryBarrierProcessWide"/>, with the disposed bit already set.</summary>
    public static bool IsHeld(SharedSegment segment)
    {
        lock (s_gate)
        {
            for (int i = s_all.Count - 1; i >= 0; i--)
            {
                if (!s_all[i].TryGetTarget(out var g))
                {
                    s_all.RemoveAt(i); // its thread ended
                    continue;
                }
                for (int d = 0; d < Depth; d++)
                    if (Volatile.Read(ref g._slots[d]) == segment.GuardId) return true;
            }
            return false;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CallGuard Register()
    {
        var g = new CallGuard();
        lock (s_gate)
        {
            // The thread-static reference keeps a live thread's guard; a dead thread's is collected and pruned here.
            if (s_all.Count > 64) s_all.RemoveAll(static w => !w.TryGetTarget(out _));
            s_all.Add(new WeakReference<CallGuard>(g));
        }
        return t_guard = g;
    }
}
