using System.Runtime.ExceptionServices;
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
    public Releaser Acquire(TimeSpan? timeout = null) => Acquire(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Acquire(TimeSpan?)"/>, cancellable.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <remarks>Python: Condition.acquire()</remarks>
    public Releaser Acquire(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!EnterLock(Deadline.From(timeout), cancellationToken))
            throw Deadline.TimedOut("Acquiring the condition's lock");
        return new Releaser(this);
    }

    /// <summary>Acquires the underlying lock without holding a thread while waiting; the owner is the caller's async
    /// flow (see <see cref="IpcRLock.AcquireAsync"/>). Dispose the result to release it.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="IpcAbandonedLockException">The holder died; the lock is now held by the caller.</exception>
    /// <remarks>Python: Condition.acquire() (asyncio.Condition.acquire in async code)</remarks>
    public ValueTask<Releaser> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        int owner = LockOwner.Flow();
        var enter = _lock is not null ? _lock.EnterAsync(deadline, cancellationToken, owner) : _rlock!.EnterAsync(deadline, cancellationToken, owner);
        return SyncAsync.OrTimeout(enter, new Releaser(this), "Acquiring the condition's lock");
    }

    /// <summary>Tries to acquire the underlying lock within <paramref name="timeout"/> (default: no wait).</summary>
    /// <remarks>Python: Condition.acquire(block=False)</remarks>
    public bool TryAcquire(TimeSpan timeout = default) => EnterLock(Deadline.From(timeout), CancellationToken.None);

    /// <summary>Like <see cref="TryAcquire(TimeSpan)"/>, cancellable.</summary>
    /// <remarks>Python: Condition.acquire(timeout=t)</remarks>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken) => EnterLock(Deadline.From(timeout), cancellationToken);

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
    /// <exception cref="ObjectDisposedException">The condition was disposed (also by another thread while this call
    /// waited; the lock is re-acquired first, unless it was disposed too).</exception>
    /// <remarks>Python: Condition.wait(timeout=None)</remarks>
    public bool Wait(TimeSpan? timeout = null) => Wait(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Wait(TimeSpan?)"/>, cancellable (the token wakes the sleeper at once; the lock is
    /// re-acquired before <see cref="OperationCanceledException"/> is thrown).</summary>
    /// <remarks>Python: Condition.wait(timeout=None)</remarks>
    public bool Wait(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var deadline = Deadline.From(timeout);
        _handle.Enter();
        try { return WaitCore(deadline, cancellationToken); }
        finally { _handle.Exit(); }
    }

    private bool WaitCore(Deadline deadline, CancellationToken cancellationToken)
    {
        int levels = BeginWait(out int startSeq);
        bool notified = false;
        var token = _handle.WaitToken(cancellationToken, out var linked);
        try
        {
            while (!(notified = TryNotified(startSeq, out int s)))
                if (!WordParker.Park(Seq, s, deadline, WaitTuning.NoSlice, token)) break;
        }
        catch (OperationCanceledException) when (_handle.DisposedDuring(cancellationToken)) { throw _handle.Disposed(); }
        finally
        {
            ExceptionDispatchInfo? abandoned = null;
            try
            {
                if (_rlock is not null) _rlock.Restore(levels);
                else _lock!.Enter(Deadline.Infinite, CancellationToken.None);
            }
            catch (IpcAbandonedLockException e) { abandoned = ExceptionDispatchInfo.Capture(e); }
            notified = EndWait(notified);
            linked?.Dispose();
            abandoned?.Throw();
        }
        return notified;
    }

    /// <summary>The async <see cref="Wait(TimeSpan?)"/>: releases the lock, waits for a notify without holding a
    /// thread (woken by the same <see cref="Notify"/> that wakes synchronous waiters), re-acquires the lock (owned by
    /// the caller's async flow afterwards); false if the time ran out. The caller must hold the lock.</summary>
    /// <param name="timeout">How long to wait for a notify; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait; the lock is re-acquired before
    /// <see cref="OperationCanceledException"/> is thrown, and no notification is consumed.</param>
    /// <exception cref="InvalidOperationException">The caller does not hold the lock.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ObjectDisposedException">The condition was disposed (also while the wait was pending).</exception>
    /// <remarks>Python: Condition.wait(timeout=None) (asyncio.Condition.wait in async code)</remarks>
    public ValueTask<bool> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        int owner = LockOwner.Flow();
        _handle.AddRefOrThrow();
        int levels;
        int startSeq;
        try { levels = BeginWait(out startSeq); }
        catch
        {
            _handle.ReleaseRef();
            throw;
        }
        return SyncAsync.ConditionWait(this, _handle, levels, startSeq, owner, deadline, cancellationToken);
    }

    /// <summary>Registers the caller as a waiter and releases the lock; returns the levels to restore.</summary>
    private int BeginWait(out int startSeq)
    {
        RequireOwned("wait on");
        byte* p = _handle.Mapped;
        startSeq = Volatile.Read(ref *(int*)(p + ConditionLayout.SeqOffset));
        Interlocked.Increment(ref *(int*)(p + ConditionLayout.WaitersOffset));
        return _rlock is not null ? _rlock.ReleaseAll() : Release1();
    }

    /// <summary>True once a notify issued after the wait began is consumed; else the sequence to park on.</summary>
    internal bool TryNotified(int startSeq, out int seq)
    {
        byte* p = _handle.Mapped;
        seq = Volatile.Read(ref *(int*)(p + ConditionLayout.SeqOffset));
        // Only a notify issued after this wait began may wake it.
        return seq != startSeq && TryConsume((int*)(p + ConditionLayout.SignalsOffset));
    }

    /// <summary>Under the lock again: leaves the waiter count, or takes the signal granted meanwhile.</summary>
    internal bool EndWait(bool notified)
    {
        if (notified) return true;
        byte* p = _handle.Mapped;
        if (TryConsume((int*)(p + ConditionLayout.SignalsOffset))) return true;
        Interlocked.Decrement(ref *(int*)(p + ConditionLayout.WaitersOffset));
        return false;
    }

    /// <summary>Parks once on the sequence word (async).</summary>
    internal ValueTask<bool> ParkAsync(int seq, Deadline deadline, CancellationToken ct)
        => WordParker.ParkAsync(Seq, seq, deadline, WaitTuning.NoSlice, ct, _handle);

    /// <summary>Re-acquires the lock for <paramref name="ownerToken"/> after an async wait.</summary>
    internal ValueTask ReacquireAsync(int levels, int ownerToken)
        => _rlock is not null ? _rlock.RestoreAsync(levels, ownerToken) : SyncAsync.Ignore(_lock!.EnterAsync(Deadline.Infinite, CancellationToken.None, ownerToken));

    // Callers hold a reference on the mapping.
    private int* Seq => (int*)(_handle.Mapped + ConditionLayout.SeqOffset);

    /// <summary>Waits until <paramref name="predicate"/> is true (checked under the lock first, then after each
    /// wake-up) or the timeout elapses; returns the predicate's last value.</summary>
    /// <remarks>Python: Condition.wait_for(predicate, timeout=None)</remarks>
    public bool WaitFor(Func<bool> predicate, TimeSpan? timeout = null) => WaitFor(predicate, timeout, CancellationToken.None);

    /// <summary>Like <see cref="WaitFor(Func{bool}, TimeSpan?)"/>, cancellable.</summary>
    /// <remarks>Python: Condition.wait_for(predicate, timeout=None)</remarks>
    public bool WaitFor(Func<bool> predicate, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var deadline = Deadline.From(timeout);
        bool result = predicate();
        while (!result)
        {
            if (deadline.HasPassed) break;
            Wait(deadline.IsInfinite ? null : deadline.Remaining, cancellationToken);
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
        byte* p = _handle.Enter();
        try
        {
            int* waiters = (int*)(p + ConditionLayout.WaitersOffset);
            int k = Math.Min(count, Volatile.Read(ref *waiters));
            if (k <= 0) return;
            Interlocked.Add(ref *waiters, -k);
            Interlocked.Add(ref *(int*)(p + ConditionLayout.SignalsOffset), k);
            int* seq = (int*)(p + ConditionLayout.SeqOffset);
            Interlocked.Increment(ref *seq);
            WordParker.Wake(seq, k);
        }
        finally { _handle.Exit(); }
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

    private bool EnterLock(Deadline deadline, CancellationToken ct)
        => _lock is not null ? _lock.Enter(deadline, ct) : _rlock!.Enter(deadline, ct);

    private void RequireOwned(string what)
    {
        _ = _handle.Payload;
        bool owned = _lock is not null ? _lock.IsMine : _rlock!.IsOwnedByCurrentThread;
        if (!owned) throw new InvalidOperationException($"Cannot {what} a condition whose lock the calling thread does not hold.");
    }

    /// <summary>Removes the condition's name (creator) and unmaps it once no call is using it; disposes the lock if the
    /// condition made it. A call blocked in another thread throws <see cref="ObjectDisposedException"/>, and so do
    /// pending async waits.</summary>
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
