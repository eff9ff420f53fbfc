namespace NativeIpc.Waiting;

/// <summary>Parking on a 32-bit word in shared memory: the one place where a waiter sleeps and a waker wakes it.
/// Sleepers re-check their condition after every return (wakes may be spurious).</summary>
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

    /// <summary>Wakes up to <paramref name="count"/> sleepers on <paramref name="word"/>.</summary>
    public static void Wake(int* word, int count = int.MaxValue) => Os.OsLayer.Waiter.Wake(word, count);
}
