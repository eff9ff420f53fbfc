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

    /// <summary>The async twin of <see cref="Wait"/>: holds no thread while asleep (see <see cref="AsyncParker"/>),
    /// woken by the same <see cref="Notify"/>. True once notified (or <paramref name="ready"/> held, or a slice ended:
    /// the caller re-checks), false when the deadline passed; cancelled by the token, leaving no registration. The
    /// words' memory must stay mapped while the wait is pending: pass its owner as <paramref name="owner"/> (see
    /// <see cref="WordParker.ParkAsync"/>).</summary>
    public ValueTask<bool> WaitAsync<TState>(Func<TState, bool> ready, TState state, Deadline deadline, int sliceMs, CancellationToken cancellationToken, object? owner)
        => Register(ready, state, out int s) ? new(true) : WordParker.ParkRegisteredAsync(seq, s, sleepers, deadline, sliceMs, cancellationToken, owner);

    /// <summary><see cref="WaitAsync{TState}"/> for waits that depend on peers staying alive: no liveness slice, <paramref name="watch"/> (asked by the parker
    /// once per slice for every wait sharing it) completes the wait (true) when it finds a dead peer.</summary>
    public ValueTask<bool> WaitWatchedAsync<TState>(Func<TState, bool> ready, TState state, Deadline deadline, LivenessWatch watch, CancellationToken cancellationToken, object? owner)
        => Register(ready, state, out int s) ? new(true) : WordParker.ParkRegisteredWatchedAsync(seq, s, sleepers, deadline, watch, cancellationToken, owner);

    /// <summary>The first half of an async wait: counts this waiter in the sleepers, reads the sequence into
    /// <paramref name="s"/>, then evaluates <paramref name="ready"/>. True (and no longer counted) when the condition
    /// already holds; false when the caller must park on <paramref name="s"/> and leave the count when the park ends.</summary>
    private bool Register<TState>(Func<TState, bool> ready, TState state, out int s)
    {
        Interlocked.Increment(ref *sleepers);
        try
        {
            s = Volatile.Read(ref *seq);
            if (!ready(state)) return false;
        }
        catch
        {
            Interlocked.Decrement(ref *sleepers);
            throw;
        }
        Interlocked.Decrement(ref *sleepers);
        return true;
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
