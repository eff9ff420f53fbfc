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
/// (<see cref="ProcessLiveness.Self"/>), so a holder that dies is detected and replaced. Waiters spin, then set
/// <see cref="ContendedBit"/> and park on the word; a release wakes only when that bit is set, so an uncontended
/// claim and release cost one CAS and one exchange. Holders keep it for a few stores, or for one chunked message
/// (which may wait for ring space or for the next chunk meanwhile).</summary>
internal readonly unsafe struct ClaimWord(int* word)
{
    /// <summary>Set by a waiter that is about to park: the releaser must wake it.</summary>
    public const int ContendedBit = ProcessLiveness.OwnerMask + 1;

    /// <summary>The holder's owner id (0: free).</summary>
    public int Holder => Volatile.Read(ref *word) & ProcessLiveness.OwnerMask;

    /// <summary>Takes the word, waiting until <paramref name="deadline"/>; a holder found dead is replaced.</summary>
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
                // Having waited, take it marked contended: another waiter may be parked behind us.
                int mine = spin.IsExhausted ? self | ContendedBit : self;
                if (Interlocked.CompareExchange(ref *word, mine, 0) == 0) return ClaimResult.Acquired;
                continue;
            }
            if (spin.Spin()) continue;
            // The same holder across a whole park: it may have died (a dead process wakes nobody).
            if (cur == parkedOn || deadline.HasPassed)
            {
                if (!ProcessLiveness.IsAlive(cur & ProcessLiveness.OwnerMask))
                {
                    if (Interlocked.CompareExchange(ref *word, self | ContendedBit, cur) == cur) return ClaimResult.TookOver;
                    continue;
                }
                if (deadline.HasPassed) return ClaimResult.TimedOut;
            }
            if ((cur & ContendedBit) == 0 && Interlocked.CompareExchange(ref *word, cur | ContendedBit, cur) != cur) continue;
            parkedOn = cur | ContendedBit;
            QueueRing.CountPark();
            if (!WordParker.Park(word, parkedOn, deadline, WaitTuning.LivenessSliceMs, cancellationToken)) parkedOn = Volatile.Read(ref *word);
        }
    }

    /// <summary>The word itself, for an async waiter to park on (<see cref="WordParker.ParkAsync"/>).</summary>
    public int* Address => word;

    /// <summary>Prepares an async wait for the holder to let go: sets <see cref="ContendedBit"/> so the release wakes
    /// the word, and returns the value to park on; 0 when the word is free (try again instead).</summary>
    public int MarkContended()
    {
        while (true)
        {
            int cur = Volatile.Read(ref *word);
            if (cur == 0) return 0;
            if ((cur & ContendedBit) != 0 || Interlocked.CompareExchange(ref *word, cur | ContendedBit, cur) == cur)
                return cur | ContendedBit;
        }
    }

    /// <summary>Lets go of the word, waking parked waiters if there are any.</summary>
    public void Release()
    {
        if ((Interlocked.Exchange(ref *word, 0) & ContendedBit) != 0)
        {
            QueueRing.CountWake();
            WordParker.Wake(word);
        }
    }
}
