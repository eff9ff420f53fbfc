namespace NativeIpc.Sync;

/// <summary>The async acquire of a <see cref="LockWord"/>: the same contention steps as the sync path
/// (<see cref="LockWord.Contend"/>), with <see cref="WordParker.ParkWatchedAsync"/> between them, so a pending acquire
/// holds no thread and is woken by the release that would wake a sync waiter. A holder that dies wakes nobody: the
/// lock's <see cref="LockLivenessWatch"/> (asked by the parker once per slice for all the lock's async waiters) wakes
/// them, and the next step tests the holder itself and takes the lock over.</summary>
internal static class AsyncLockEntry
{
    /// <summary>Takes the lock for <paramref name="ownerToken"/>; false on timeout; throws
    /// <see cref="IpcAbandonedLockException"/> (holding the lock) when the holder died.</summary>
    public static async ValueTask<bool> EnterAsync(SyncHandle handle, int lockOffset, Deadline deadline, CancellationToken ct, int ownerToken)
    {
        handle.AddRefOrThrow();
        try
        {
            long nextCheck = LockWord.FirstLivenessCheck();
            var watch = LockLivenessWatch.For(handle, lockOffset);
            int deaths = watch.Deaths;
            while (true)
            {
                // The watch saw a dead holder: test liveness in this step rather than at the next slice.
                if (watch.Deaths != deaths)
                {
                    deaths = watch.Deaths;
                    nextCheck = 0;
                }
                var step = Step(handle, lockOffset, deadline, ref nextCheck, ownerToken, out int parkValue, out int deadOwner, out nint word);
                if (step == LockWord.Outcome.Acquired) return true;
                if (step == LockWord.Outcome.Abandoned) throw new IpcAbandonedLockException(deadOwner);
                if (step == LockWord.Outcome.TimedOut) return false;
                if (!await Park(word, parkValue, deadline, watch, ct, handle).ConfigureAwait(false)) return false;
            }
        }
        finally { handle.ReleaseRef(); }
    }

    private static unsafe LockWord.Outcome Step(SyncHandle handle, int lockOffset, Deadline deadline, ref long nextCheck, int ownerToken,
        out int parkValue, out int deadOwner, out nint word)
    {
        byte* l = handle.Payload + lockOffset;
        word = (nint)LockWord.Word(l);
        deadOwner = 0;
        parkValue = 0;
        if (LockWord.TryAcquireFast(l, ownerToken)) return LockWord.Outcome.Acquired;
        return LockWord.Contend(l, deadline, ref nextCheck, out parkValue, out deadOwner, ownerToken);
    }

    private static unsafe ValueTask<bool> Park(nint word, int value, Deadline deadline, LockLivenessWatch watch, CancellationToken ct, SyncHandle owner)
        => WordParker.ParkWatchedAsync((int*)word, value, deadline, watch, ct, owner);
}
