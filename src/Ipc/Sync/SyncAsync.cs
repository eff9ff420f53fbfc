using System.Runtime.ExceptionServices;

namespace NativeIpc.Sync;

/// <summary>The async bodies of the sync primitives' async waits. They live in a safe class because the primitives
/// are unsafe classes, where C# allows no <c>await</c>; the pointer work stays in the primitives' sync steps.</summary>
internal static class SyncAsync
{
    /// <summary>Loops <see cref="IAsyncWaitable.TryComplete"/> / <see cref="IAsyncWaitable.ParkAsync"/> until done
    /// (true) or the deadline passed (false), holding a reference on <paramref name="handle"/> so the mapping stays
    /// while the wait runs.</summary>
    public static async ValueTask<bool> Until<T>(T target, SyncHandle handle, Deadline deadline, CancellationToken ct) where T : IAsyncWaitable
    {
        handle.AddRefOrThrow();
        try
        {
            while (true)
            {
                if (target.TryComplete()) return true;
                if (!await target.ParkAsync(deadline, ct).ConfigureAwait(false)) return target.TryComplete();
            }
        }
        finally { handle.ReleaseRef(); }
    }

    /// <summary><paramref name="result"/> once <paramref name="wait"/> succeeded; the library's timeout exception if it timed out.</summary>
    public static async ValueTask<TResult> OrTimeout<TResult>(ValueTask<bool> wait, TResult result, string what)
    {
        if (!await wait.ConfigureAwait(false)) throw Deadline.TimedOut(what);
        return result;
    }

    /// <summary>Finishes an async RLock acquire: recursion level 1 once taken (also when taken over from a dead owner).</summary>
    public static async ValueTask<bool> RLockEntered(IpcRLock rlock, ValueTask<bool> enter)
    {
        try
        {
            if (!await enter.ConfigureAwait(false)) return false;
        }
        catch (IpcAbandonedLockException)
        {
            rlock.SetRecursion(1);
            throw;
        }
        rlock.SetRecursion(1);
        return true;
    }

    /// <summary>Re-acquires an RLock without limit and restores its level (after a condition wait).</summary>
    public static async ValueTask RLockRestore(IpcRLock rlock, int levels, int ownerToken)
    {
        try { await rlock.EnterAsync(Deadline.Infinite, CancellationToken.None, ownerToken).ConfigureAwait(false); }
        finally { rlock.SetRecursion(levels); }
    }

    /// <summary>The async body of <see cref="IpcBarrier.SignalAndWaitAsync"/>.</summary>
    public static async ValueTask<int> BarrierWait(IpcBarrier barrier, SyncHandle handle, IpcBarrier.Arrival arrival, CancellationToken ct)
    {
        handle.AddRefOrThrow();
        try
        {
            while (barrier.Step(ref arrival) == IpcBarrier.StepResult.Park)
            {
                try { await barrier.ParkAsync(arrival.ParkValue, arrival.Deadline, ct).ConfigureAwait(false); }
                catch (OperationCanceledException)
                {
                    barrier.Leave(ref arrival);
                    throw;
                }
            }
            return arrival.Index;
        }
        finally { handle.ReleaseRef(); }
    }

    /// <summary>Awaits an acquire whose result is always true (no deadline).</summary>
    public static async ValueTask Ignore(ValueTask<bool> wait) => await wait.ConfigureAwait(false);

    /// <summary>The async body of <see cref="IpcCondition.WaitAsync"/> after the lock was released: parks until
    /// notified, then re-acquires the lock (always, also on cancellation) and settles the waiter count. Owns one
    /// reference on <paramref name="handle"/>.</summary>
    public static async ValueTask<bool> ConditionWait(IpcCondition condition, SyncHandle handle, int levels, int startSeq, int ownerToken,
        Deadline deadline, CancellationToken ct)
    {
        try
        {
            bool notified = false;
            try
            {
                while (!(notified = condition.TryNotified(startSeq, out int seq)))
                    if (!await condition.ParkAsync(seq, deadline, ct).ConfigureAwait(false)) break;
            }
            finally
            {
                ExceptionDispatchInfo? abandoned = null;
                try { await condition.ReacquireAsync(levels, ownerToken).ConfigureAwait(false); }
                catch (IpcAbandonedLockException e) { abandoned = ExceptionDispatchInfo.Capture(e); }
                notified = condition.EndWait(notified);
                abandoned?.Throw();
            }
            return notified;
        }
        finally { handle.ReleaseRef(); }
    }
}
