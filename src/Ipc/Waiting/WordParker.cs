namespace NativeIpc.Waiting;

/// <summary>Parking on a 32-bit word in shared memory: the one place where a waiter sleeps and a waker wakes it,
/// synchronously (<see cref="Park"/>) or asynchronously (<see cref="ParkAsync"/>, which holds no thread: see
/// <see cref="AsyncParker"/>). Sleepers re-check their condition after every return (wakes may be spurious).</summary>
internal static unsafe class WordParker
{
    /// <summary>Sleeps while <c>*word == expected</c>, at most until the deadline or <paramref name="sliceMs"/>,
    /// whichever is first; a cancelled <paramref name="cancellationToken"/> throws
    /// <see cref="OperationCanceledException"/>. False only when the deadline has passed.</summary>
    public static bool Park(int* word, int expected, Deadline deadline, int sliceMs, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int ms = deadline.SliceMs(sliceMs);
        if (ms == 0) return false;
        if (!cancellationToken.CanBeCanceled)
        {
            Os.OsLayer.Waiter.Wait(word, expected, ms);
            return true;
        }
        // The token wakes the word itself (a spurious wake for other sleepers on it, which they tolerate), so a
        // cancellable wait needs no shorter slice.
        using (cancellationToken.UnsafeRegister(static s => Os.OsLayer.Waiter.Wake((int*)(nint)s!, int.MaxValue), (nint)word))
            Os.OsLayer.Waiter.Wait(word, expected, ms);
        cancellationToken.ThrowIfCancellationRequested();
        return true;
    }

    /// <summary>The async twin of <see cref="Park"/>: completes (holding no thread meanwhile) when <c>*word</c> is
    /// woken or differs from <paramref name="expected"/> (true), when <paramref name="sliceMs"/> ended (true) or the
    /// deadline passed (false). A fired token completes it as cancelled and leaves no registration behind.</summary>
    /// <param name="word">The shared word; its memory must stay mapped until the wait completes: pass the object that
    /// owns the mapping as <paramref name="owner"/> and call <see cref="AsyncParker.Abandon"/> with it before
    /// unmapping (pending waits then fail with <see cref="ObjectDisposedException"/>).</param>
    /// <param name="expected">The value to sleep on.</param>
    /// <param name="deadline">When the wait gives up.</param>
    /// <param name="sliceMs">Longest single park (<see cref="WaitTuning.NoSlice"/>: until woken or the deadline).</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <param name="owner">The mapping's owner (see <paramref name="word"/>); null if the memory is never unmapped.</param>
    public static ValueTask<bool> ParkAsync(int* word, int expected, Deadline deadline, int sliceMs, CancellationToken cancellationToken, object? owner)
    {
        long due = sliceMs == WaitTuning.NoSlice ? deadline.Timestamp : deadline.TimestampCappedAt(sliceMs);
        return AsyncParker.Park(word, expected, due, due == deadline.Timestamp, cancellationToken, owner);
    }

    /// <summary>The async twin of <see cref="Park"/> for waits that depend on peers staying alive, with no liveness
    /// slice: completes (true) when <c>*word</c> is woken or differs from <paramref name="expected"/>, or when
    /// <paramref name="watch"/> finds a dead peer (the parker asks it once per slice for every wait sharing it);
    /// false when the deadline passed. Same memory and cancellation rules as <see cref="ParkAsync"/>.</summary>
    public static ValueTask<bool> ParkWatchedAsync(int* word, int expected, Deadline deadline, LivenessWatch watch, CancellationToken cancellationToken, object? owner)
        => AsyncParker.Park(word, expected, deadline.Timestamp, dueIsDeadline: true, cancellationToken, owner, watch);

    /// <summary>Like <see cref="Park"/>, counted in <paramref name="sleepers"/> while asleep so a waker that changes
    /// <paramref name="word"/> and then finds no sleeper may skip its wake system call.</summary>
    public static bool ParkCounted(int* word, int expected, int* sleepers, Deadline deadline, int sliceMs, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref *sleepers);
        try { return Park(word, expected, deadline, sliceMs, cancellationToken); }
        finally { Interlocked.Decrement(ref *sleepers); }
    }

    /// <summary>The async twin of <see cref="ParkCounted"/> (same memory rule as <see cref="ParkAsync"/>: the sleeper
    /// count is left alone once the owner was abandoned, since its memory may be gone).</summary>
    public static ValueTask<bool> ParkCountedAsync(int* word, int expected, int* sleepers, Deadline deadline, int sliceMs, CancellationToken cancellationToken, object? owner)
    {
        Interlocked.Increment(ref *sleepers);
        return ParkRegisteredAsync(word, expected, sleepers, deadline, sliceMs, cancellationToken, owner);
    }

    /// <summary><see cref="ParkAsync"/> for a caller already counted in <paramref name="sleepers"/>: leaves the
    /// count when the park completes.</summary>
    public static ValueTask<bool> ParkRegisteredAsync(int* word, int expected, int* sleepers, Deadline deadline, int sliceMs, CancellationToken cancellationToken, object? owner)
    {
        ValueTask<bool> park;
        try { park = ParkAsync(word, expected, deadline, sliceMs, cancellationToken, owner); }
        catch
        {
            Interlocked.Decrement(ref *sleepers);
            throw;
        }
        return LeaveWhenDone(park, sleepers);
    }

    /// <summary><see cref="ParkRegisteredAsync"/> with a <see cref="LivenessWatch"/> instead of a slice.</summary>
    public static ValueTask<bool> ParkRegisteredWatchedAsync(int* word, int expected, int* sleepers, Deadline deadline, LivenessWatch watch, CancellationToken cancellationToken, object? owner)
    {
        ValueTask<bool> park;
        try { park = ParkWatchedAsync(word, expected, deadline, watch, cancellationToken, owner); }
        catch
        {
            Interlocked.Decrement(ref *sleepers);
            throw;
        }
        return LeaveWhenDone(park, sleepers);
    }

    /// <summary>Leaves the sleeper count when <paramref name="park"/> completes: at once if it already has.</summary>
    private static ValueTask<bool> LeaveWhenDone(ValueTask<bool> park, int* sleepers)
    {
        if (!park.IsCompleted) return AsyncParker.LeaveAfter(park, (nint)sleepers);
        Interlocked.Decrement(ref *sleepers);
        return park;
    }

    /// <summary>Wakes up to <paramref name="count"/> sleepers on <paramref name="word"/>, sync and async alike.</summary>
    public static void Wake(int* word, int count = int.MaxValue) => Os.OsLayer.Waiter.Wake(word, count);
}
