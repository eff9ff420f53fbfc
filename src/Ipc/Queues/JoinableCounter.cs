using L = NativeIpc.Queues.QueueLayout;

namespace NativeIpc.Queues;

/// <summary>The unfinished-task count of a joinable queue, derived rather than stored: messages counted in
/// (<c>enqueued</c>) minus torn ones skipped (<c>torn</c>) minus <see cref="TaskDone"/> calls (<c>tasks done</c>).
/// Each of the three is written in one store by its own side (<see cref="QueueLayout"/>), so a process killed at any
/// instruction leaves the count exact: a put counts when its record is committed, and a record whose producer died
/// before publishing it is taken out again by the consumer that skips it.</summary>
internal readonly unsafe struct JoinableCounter(byte* control)
{
    private ref long Enqueued => ref *(long*)(control + L.EnqueuedOffset);
    private ref long Torn => ref *(long*)(control + L.TornOffset);
    private ref long Done => ref *(long*)(control + L.TasksDoneOffset);

    private EventCount Joined => new((int*)(control + L.JoinSeqOffset), (int*)(control + L.JoinSleepersOffset));

    /// <summary>Tasks put and not yet marked done (never negative).</summary>
    public long Unfinished => Math.Max(0, UnfinishedRaw(Volatile.Read(ref Done)));

    private long UnfinishedRaw(long done)
        => Volatile.Read(ref Enqueued) - TornCount(Volatile.Read(ref Torn)) - done;

    /// <summary>The count half of the packed <c>torn</c> word.</summary>
    public static long TornCount(long tornWord) => (long)((ulong)tornWord >> 32);

    /// <summary>Marks one task done; false when none is outstanding.</summary>
    public bool TaskDone()
    {
        while (true)
        {
            long done = Volatile.Read(ref Done);
            long left = UnfinishedRaw(done);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref Done, done + 1, done) != done) continue;
            if (left == 1) NotifyIfJoined();
            return true;
        }
    }

    /// <summary>Marks <paramref name="count"/> tasks done at once: the items an immediate shutdown discarded
    /// (Python's <c>shutdown(immediate=True)</c> calls <c>task_done</c> for each). Wakes joiners.</summary>
    public void MarkDone(long count)
    {
        Interlocked.Add(ref Done, count);
        NotifyIfJoined();
    }

    /// <summary>Wakes joiners if the count may have reached zero (after a torn record was taken out).</summary>
    public void NotifyIfJoined()
    {
        Interlocked.MemoryBarrier();
        if (Joined.HasSleepers)
        {
            QueueRing.CountWake();
            Joined.NotifyAlways();
        }
    }

    /// <summary>Waits until no task is unfinished; false when the deadline passed first.</summary>
    public bool Join(Deadline deadline, CancellationToken cancellationToken = default)
    {
        while (Unfinished > 0)
        {
            if (deadline.HasPassed) return false;
            QueueRing.CountPark();
            // Sliced: the count also drops when a consumer skips a dead producer's record, and a skipper that is
            // itself killed wakes nobody.
            if (!Joined.Wait(static c => c.Unfinished <= 0, this, deadline, WaitTuning.LivenessSliceMs, cancellationToken))
                return Unfinished <= 0;
        }
        return true;
    }
}
