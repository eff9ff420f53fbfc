namespace NativeIpc.Waiting;

/// <summary>An event count on two words in shared memory (a sequence and a sleeper count): waiters announce
/// themselves, read the sequence, re-check their condition, and sleep only if the sequence is unchanged; notifiers
/// bump the sequence and make a wake system call only when someone sleeps. No lost wake-ups, no syscall when nobody
/// waits.</summary>
/// <param name="seq">The sequence word.</param>
/// <param name="sleepers">The count of registered sleepers.</param>
internal readonly unsafe struct EventCount(int* seq, int* sleepers)
{
    /// <summary>Waits for the next notification unless <paramref name="ready"/> (evaluated after registering) says the
    /// condition already holds. False only when the deadline has passed.</summary>
    public bool Wait<TState>(Func<TState, bool> ready, TState state, Deadline deadline, int sliceMs, CancellationToken cancellationToken)
        where TState : allows ref struct
    {
        Interlocked.Increment(ref *sleepers);
        try
        {
            int s = Volatile.Read(ref *seq);
            if (ready(state)) return true;
            return WordParker.Park(seq, s, deadline, sliceMs, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref *sleepers);
        }
    }

    /// <summary>True if anyone is registered as a sleeper (read after a full fence by the caller).</summary>
    public bool HasSleepers => Volatile.Read(ref *sleepers) != 0;

    /// <summary>Wakes every sleeper if there is one (call after publishing the change, behind a full fence).</summary>
    public void Notify()
    {
        if (Volatile.Read(ref *sleepers) != 0) NotifyAlways();
    }

    /// <summary>Bumps the sequence and wakes every sleeper, registered or about to be.</summary>
    public void NotifyAlways()
    {
        Interlocked.Increment(ref *seq);
        WordParker.Wake(seq);
    }
}
