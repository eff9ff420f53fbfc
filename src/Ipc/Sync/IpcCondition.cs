using System.Runtime.ExceptionServices;
using NativeIpc.Os;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A condition variable shared between processes, over an <see cref="IpcLock"/> or <see cref="IpcRLock"/>:
/// <see cref="Wait(TimeSpan?)"/> releases the lock, sleeps until notified, and re-acquires it.</summary>
/// <remarks>Python: multiprocessing.Condition. A waiter that dies while waiting still counts as a waiter, so one
/// <see cref="Notify"/> may be spent on it; <see cref="NotifyAll"/> and waits with timeouts are unaffected. If the
/// lock's holder dies, the waiter re-acquiring it gets <see cref="IpcAbandonedLockException"/> (holding the lock).</remarks>
public sealed unsafe class IpcCondition : IDisposable, ITransferable
{
    static IpcCondition() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private const int SleepSliceMs = 200;
    private readonly SyncHandle _handle;
    private readonly IpcLock? _lock;
    private readonly IpcRLock? _rlock;
    private readonly bool _ownsLock;

    /// <summary>Creates a condition with a new <see cref="IpcRLock"/> of its own.</summary>
    /// <remarks>Python: multiprocessing.Condition()</remarks>
    public IpcCondition() : this(null, new IpcRLock(), ownsLock: true) { }

    /// <summary>Creates a condition over <paramref name="lock"/>, which stays the caller's to dispose.</summary>
    /// <remarks>Python: multiprocessing.Condition(lock)</remarks>
    public IpcCondition(IpcLock @lock) : this(@lock ?? throw new ArgumentNullException(nameof(@lock)), null, ownsLock: false) { }

    /// <summary>Creates a condition over <paramref name="lock"/>, which stays the caller's to dispose.</summary>
    /// <remarks>Python: multiprocessing.Condition(rlock)</remarks>
    public IpcCondition(IpcRLock @lock) : this(null, @lock ?? throw new ArgumentNullException(nameof(@lock)), ownsLock: false) { }

    private IpcCondition(IpcLock? l, IpcRLock? r, bool ownsLock, SyncHandle? handle = null)
    {
        _lock = l;
        _rlock = r;
        _ownsLock = ownsLock;
        _handle = handle ?? SyncHandle.Create(SegmentKind.Condition, ConditionLayout.Size, nameof(IpcCondition));
    }

    /// <summary>Acquires the underlying lock; dispose the result to release it.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="IpcAbandonedLockException">The holder died; the lock is now held by the caller.</exception>
    /// <remarks>Python: Condition.acquire() / with cond:</remarks>
    public Releaser Acquire(TimeSpan? timeout = null)
    {
        if (!EnterLock(SyncTimeout.From(timeout)))
            throw new TimeoutException($"The condition's lock was not acquired within {timeout}.");
        return new Releaser(this);
    }

    /// <summary>Tries to acquire the underlying lock within <paramref name="timeout"/> (default: no wait).</summary>
    /// <remarks>Python: Condition.acquire(block=False)</remarks>
    public bool TryAcquire(TimeSpan timeout = default) => EnterLock(SyncTimeout.From(timeout));

    /// <summary>Releases the underlying lock.</summary>
    /// <remarks>Python: Condition.release()</remarks>
    public void Release()
    {
        if (_lock is not null) _lock.Release();
        else _rlock!.Release();
    }

    /// <summary>Releases the lock, waits until notified or until <paramref name="timeout"/> elapses, re-acquires the
    /// lock; returns false if the time ran out. The caller must hold the lock.</summary>
    /// <exception cref="InvalidOperationException">The calling thread does not hold the lock.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <remarks>Python: Condition.wait(timeout=None)</remarks>
    public bool Wait(TimeSpan? timeout = null) => Wait(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Wait(TimeSpan?)"/>, cancellable (noticed within about 50 ms; the lock is re-acquired
    /// before <see cref="OperationCanceledException"/> is thrown).</summary>
    /// <remarks>Python: Condition.wait(timeout=None)</remarks>
    public bool Wait(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var to = SyncTimeout.From(timeout);
        RequireOwned("wait on");
        byte* p = _handle.Payload;
        int* seq = (int*)(p + ConditionLayout.SeqOffset);
        int* waiters = (int*)(p + ConditionLayout.WaitersOffset);
        int* signals = (int*)(p + ConditionLayout.SignalsOffset);
        int startSeq = Volatile.Read(ref *seq);
        Interlocked.Increment(ref *waiters);
        int levels = _rlock is not null ? _rlock.ReleaseAll() : Release1();
        bool notified = false;
        int slice = cancellationToken.CanBeCanceled ? LockWord.CancellationPollMs : SleepSliceMs;
        try
        {
            while (true)
            {
                int s = Volatile.Read(ref *seq);
                // Only a notify issued after this wait began may wake it.
                if (s != startSeq && TryConsume(signals)) { notified = true; break; }
                cancellationToken.ThrowIfCancellationRequested();
                int ms = to.SliceMs(slice);
                if (ms == 0) break;
                OsLayer.Waiter.Wait(seq, s, ms);
            }
        }
        finally
        {
            ExceptionDispatchInfo? abandoned = null;
            try
            {
                if (_rlock is not null) _rlock.Restore(levels);
                else _lock!.Enter(SyncTimeout.Infinite, CancellationToken.None);
            }
            catch (IpcAbandonedLockException e) { abandoned = ExceptionDispatchInfo.Capture(e); }
            // Under the lock again: leave the waiter count, or take the signal granted meanwhile.
            if (!notified)
            {
                if (TryConsume(signals)) notified = true;
                else Interlocked.Decrement(ref *waiters);
            }
            abandoned?.Throw();
        }
        return notified;
    }

    /// <summary>Waits until <paramref name="predicate"/> is true (checked under the lock first, then after each
    /// wake-up) or the timeout elapses; returns the predicate's last value.</summary>
    /// <remarks>Python: Condition.wait_for(predicate, timeout=None)</remarks>
    public bool WaitFor(Func<bool> predicate, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var to = SyncTimeout.From(timeout);
        bool result = predicate();
        while (!result)
        {
            if (to.Expired) break;
            Wait(to.IsInfinite ? null : TimeSpan.FromMilliseconds(Math.Max(1, to.SliceMs(int.MaxValue))));
            result = predicate();
        }
        return result;
    }

    /// <summary>Wakes up to <paramref name="count"/> processes or threads waiting on this condition. The caller must hold the lock.</summary>
    /// <exception cref="InvalidOperationException">The calling thread does not hold the lock.</exception>
    /// <remarks>Python: Condition.notify(n=1)</remarks>
    public void Notify(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        RequireOwned("notify");
        byte* p = _handle.Payload;
        int* waiters = (int*)(p + ConditionLayout.WaitersOffset);
        int k = Math.Min(count, Volatile.Read(ref *waiters));
        if (k <= 0) return;
        Interlocked.Add(ref *waiters, -k);
        Interlocked.Add(ref *(int*)(p + ConditionLayout.SignalsOffset), k);
        int* seq = (int*)(p + ConditionLayout.SeqOffset);
        Interlocked.Increment(ref *seq);
        OsLayer.Waiter.Wake(seq, k);
    }

    /// <summary>Wakes every waiter. The caller must hold the lock.</summary>
    /// <remarks>Python: Condition.notify_all()</remarks>
    public void NotifyAll() => Notify(int.MaxValue);

    private static bool TryConsume(int* signals)
    {
        while (true)
        {
            int v = Volatile.Read(ref *signals);
            if (v <= 0) return false;
            if (Interlocked.CompareExchange(ref *signals, v - 1, v) == v) return true;
        }
    }

    private int Release1()
    {
        _lock!.Release();
        return 1;
    }

    private bool EnterLock(SyncTimeout timeout)
        => _lock is not null ? _lock.Enter(timeout, CancellationToken.None) : _rlock!.Enter(timeout, CancellationToken.None);

    private void RequireOwned(string what)
    {
        _ = _handle.Payload;
        bool owned = _lock is not null ? _lock.IsMine : _rlock!.IsOwnedByCurrentThread;
        if (!owned) throw new InvalidOperationException($"Cannot {what} a condition whose lock the calling thread does not hold.");
    }

    /// <summary>Removes the condition's name (creator) and unmaps it; disposes the lock if the condition made it.</summary>
    public void Dispose()
    {
        _handle.Dispose();
        if (_ownsLock)
        {
            _lock?.Dispose();
            _rlock?.Dispose();
        }
    }

    /// <summary>The condition's shared segment name.</summary>
    public override string ToString() => $"IpcCondition({_handle.Name})";

    void ITransferable.WriteTransfer(BinaryWriter writer)
    {
        _handle.WriteTransfer(writer);
        writer.Write(_rlock is not null);
        if (_rlock is not null) _rlock.WriteTransfer(writer);
        else _lock!.WriteTransfer(writer);
    }

    internal static IpcCondition ReadTransfer(BinaryReader reader)
    {
        var handle = SyncHandle.Attach(reader.ReadString(), SegmentKind.Condition, nameof(IpcCondition));
        try
        {
            return reader.ReadBoolean()
                ? new IpcCondition(null, IpcRLock.ReadTransfer(reader), ownsLock: true, handle)
                : new IpcCondition(IpcLock.ReadTransfer(reader), null, ownsLock: true, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Releases the condition's lock when disposed; returned by <see cref="Acquire(TimeSpan?)"/>. Dispose it once.</summary>
    public readonly struct Releaser : IDisposable
    {
        private readonly IpcCondition _condition;

        internal Releaser(IpcCondition owner) => _condition = owner;

        /// <summary>Releases the lock.</summary>
        /// <remarks>Python: Condition.__exit__</remarks>
        public void Dispose() => _condition?.Release();
    }
}
