namespace NativeIpc.Queues;

/// <summary>How a <see cref="ClaimWord"/> acquisition ended.</summary>
internal enum ClaimResult
{
    /// <summary>The deadline passed while a live process held the word.</summary>
    TimedOut,

    /// <summary>Acquired from a holder that let go.</summary>
    Acquired,

    /// <summary>Acquired from a holder that died holding it: the caller finishes or undoes what it left half done.</summary>
    TookOver,
}

/// <summary>A mutual-exclusion word in shared memory that records its holder's owner id
/// (<see cref="ProcessLiveness.Self"/>), so a holder that dies is detected and replaced, with a count of the waiters
/// parked on it beside it. Waiters spin, then register in the count and park on the word; a release is a plain store
/// of 0 followed — after the next full fence the releaser runs anyway — by a wake only if the count is nonzero. So an
/// uncontended claim and release cost one CAS and one store. Holders keep it for a few stores, or for one chunked
/// message (which may wait for ring space or for the next chunk meanwhile).</summary>
/// <remarks>Why a deferred wake loses nothing (event-count pattern): a waiter increments the count (a full fence),
/// then sleeps only while the word still holds the value it saw (the kernel compares atomically); the releaser stores
/// 0, passes a full fence, then reads the count. Either the waiter's sleep finds 0 and returns, or the releaser sees
/// the count and wakes it.</remarks>
internal readonly unsafe struct ClaimWord(int* word, int* sleepers)
{
    /// <summary>The holder's owner id (0: free).</summary>
    public int Holder => Volatile.Read(ref *word) & ProcessLiveness.OwnerMask;

    /// <summary>Takes the word, waiting until <paramref name="deadline"/>; a holder found dead is replaced.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public ClaimResult Acquire(Deadline deadline, CancellationToken cancellationToken = default)
    {
        int self = ProcessLiveness.Self;
        if (Interlocked.CompareExchange(ref *word, self, 0) == 0) return ClaimResult.Acquired;
        return AcquireSlow(self, deadline, cancellationToken);
    }

    private ClaimResult AcquireSlow(int self, Deadline deadline, CancellationToken cancellationToken)
    {
        var spin = new SpinPhase(WaitTuning.QueueSpin);
        int parkedOn = 0;
        while (true)
        {
            int cur = Volatile.Read(ref *word);
            if (cur == 0)
            {
                if (Interlocked.CompareExchange(ref *word, self, 0) == 0) return ClaimResult.Acquired;
                continue;
            }
            if (spin.Spin()) continue;
            // The same holder across a whole park: it may have died (a dead process wakes nobody).
            if (cur == parkedOn || deadline.HasPassed)
            {
                if (!ProcessLiveness.IsAlive(cur & ProcessLiveness.OwnerMask))
                {
                    if (Interlocked.CompareExchange(ref *word, self, cur) == cur) return ClaimResult.TookOver;
                    continue;
                }
                if (deadline.HasPassed) return ClaimResult.TimedOut;
            }
            parkedOn = cur;
            QueueRing.CountPark();
            if (!WordParker.ParkCounted(word, cur, sleepers, deadline, WaitTuning.LivenessSliceMs, cancellationToken)) parkedOn = Volatile.Read(ref *word);
        }
    }

    /// <summary>The word itself, for an async waiter to park on.</summary>
    public int* Address => word;

    /// <summary>The count of parked waiters (sync and async alike).</summary>
    public int* Sleepers => sleepers;

    /// <summary>Waits without holding a thread until the current holder lets go (true; at once if the word is free),
    /// parked in <see cref="WaitTuning.LivenessSliceMs"/> slices so a holder that died is looked at again by the
    /// caller's next attempt; counted in <see cref="Sleepers"/> while parked, so the release wakes it.</summary>
    public ValueTask<bool> WhileHeldAsync(CancellationToken cancellationToken, object owner)
    {
        Interlocked.Increment(ref *sleepers);
        int cur = Volatile.Read(ref *word);
        if (cur == 0)
        {
            Interlocked.Decrement(ref *sleepers);
            return new(true);
        }
        return WordParker.ParkRegisteredAsync(word, cur, sleepers, Deadline.Infinite, WaitTuning.LivenessSliceMs, cancellationToken, owner);
    }

    /// <summary>Like <see cref="WhileHeldAsync(CancellationToken, object)"/>, without slices: <paramref name="watch"/>
    /// wakes the wait if the holder is found dead (see <see cref="LivenessWatch"/>).</summary>
    public ValueTask<bool> WhileHeldAsync(LivenessWatch watch, CancellationToken cancellationToken, object owner)
    {
        Interlocked.Increment(ref *sleepers);
        int cur = Volatile.Read(ref *word);
        if (cur == 0)
        {
            Interlocked.Decrement(ref *sleepers);
            return new(true);
        }
        return WordParker.ParkRegisteredWatchedAsync(word, cur, sleepers, Deadline.Infinite, watch, cancellationToken, owner);
    }

    /// <summary>Lets go of the word and wakes parked waiters if there are any.</summary>
    public void Release()
    {
        Volatile.Write(ref *word, 0);
        Interlocked.MemoryBarrier();
        WakeSleepers();
    }

    /// <summary>Lets go of the word with a plain store. The caller MUST call <see cref="WakeSleepers"/> after its
    /// next full fence (an interlocked operation), or waiters may sleep until their liveness slice ends.</summary>
    public void ReleaseDeferred() => Volatile.Write(ref *word, 0);

    /// <summary>The second half of <see cref="ReleaseDeferred"/>: wakes parked waiters, if any (call behind a full fence).</summary>
    public void WakeSleepers()
    {
        if (Volatile.Read(ref *sleepers) == 0) return;
        QueueRing.CountWake();
        WordParker.Wake(word);
    }
}
