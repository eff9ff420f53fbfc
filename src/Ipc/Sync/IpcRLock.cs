using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A reentrant lock shared between processes: owned by one thread of one process, which may acquire it again
/// (each acquire needs a release). Fast path and dead-holder takeover as <see cref="IpcLock"/>: if the owning process
/// dies, the next waiter takes the lock over (recursion level 1) and gets <see cref="IpcAbandonedLockException"/>.</summary>
/// <remarks>Python: multiprocessing.RLock. As in Python, only the owner may release it.</remarks>
public sealed unsafe class IpcRLock : IDisposable, ITransferable
{
    static IpcRLock() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly SyncHandle _handle;

    /// <summary>Creates an unowned reentrant lock.</summary>
    /// <remarks>Python: multiprocessing.RLock()</remarks>
    public IpcRLock() => _handle = SyncHandle.Create(SegmentKind.RLock, RLockLayout.Size, nameof(IpcRLock));

    private IpcRLock(SyncHandle handle) => _handle = handle;

    /// <summary>True if the calling thread (of this process) owns the lock.</summary>
    /// <remarks>Python: RLock._is_owned()</remarks>
    public bool IsOwnedByCurrentThread
    {
        get
        {
            byte* p = _handle.Enter();
            try { return LockWord.IsMine(p); }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>True while some thread of some process owns the lock (a snapshot).</summary>
    /// <remarks>Python: RLock.locked() (3.14)</remarks>
    public bool IsLocked
    {
        get
        {
            byte* p = _handle.Enter();
            try { return LockWord.IsLocked(p); }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>How many times the owner has acquired the lock without releasing (0 when the caller does not own it).</summary>
    public int RecursionCount
    {
        get
        {
            byte* p = _handle.Enter();
            try { return LockWord.IsMine(p) ? *Recursion(p) : 0; }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>Acquires the lock (again, if the caller owns it), waiting at most <paramref name="timeout"/>; dispose
    /// the result to release once.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="IpcAbandonedLockException">The owner died; the lock is now owned by the caller.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <exception cref="ObjectDisposedException">The lock was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: RLock.acquire() / with rlock:</remarks>
    public Releaser Acquire(TimeSpan? timeout = null) => Acquire(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Acquire(TimeSpan?)"/>, cancellable (the token wakes the sleeper at once).</summary>
    /// <remarks>Python: RLock.acquire()</remarks>
    public Releaser Acquire(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!Enter(Deadline.From(timeout), cancellationToken))
            throw Deadline.TimedOut("Acquiring the lock");
        return new Releaser(this);
    }

    /// <summary>Acquires the lock (again, if the caller's async flow owns it) without holding a thread while waiting;
    /// dispose the result to release one level. The owner is the calling async flow, not a thread: release it from
    /// the same async method (or code it awaits), on whatever thread that continues.</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait; a cancelled wait leaves no trace and owns nothing.</param>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="IpcAbandonedLockException">The owner died; the lock is now owned by the caller.</exception>
    /// <exception cref="ObjectDisposedException">The lock was disposed (also while the wait was pending).</exception>
    /// <remarks>Python: RLock.acquire()</remarks>
    public ValueTask<Releaser> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        return SyncAsync.OrTimeout(EnterAsync(deadline, cancellationToken, LockOwner.Flow()), new Releaser(this), "Acquiring the lock");
    }

    /// <summary>Tries to acquire the lock within <paramref name="timeout"/> (default: no wait).</summary>
    /// <exception cref="IpcAbandonedLockException">The owner died; the lock is now owned by the caller.</exception>
    /// <remarks>Python: RLock.acquire(block=False) / RLock.acquire(timeout=t)</remarks>
    public bool TryAcquire(TimeSpan timeout = default) => Enter(Deadline.From(timeout), CancellationToken.None);

    /// <summary>Like <see cref="TryAcquire(TimeSpan)"/>, cancellable.</summary>
    /// <exception cref="IpcAbandonedLockException">The owner died; the lock is now owned by the caller.</exception>
    /// <remarks>Python: RLock.acquire(timeout=t)</remarks>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken) => Enter(Deadline.From(timeout), cancellationToken);

    /// <summary>Releases one level; the lock is free when the level reaches 0.</summary>
    /// <exception cref="InvalidOperationException">The calling thread does not own the lock.</exception>
    /// <remarks>Python: RLock.release()</remarks>
    public void Release()
    {
        byte* p = _handle.Enter();
        try
        {
            if (!LockWord.IsMine(p))
                throw new InvalidOperationException("Cannot release an RLock the calling thread does not own.");
            if (--*Recursion(p) == 0) LockWord.Release(p);
        }
        finally { _handle.Exit(); }
    }

    internal bool Enter(Deadline deadline, CancellationToken ct)
    {
        byte* p = _handle.Enter();
        try
        {
            if (LockWord.IsMine(p))
            {
                ++*Recursion(p);
                return true;
            }
            if (!LockWord.TryAcquireFast(p) && !EnterSlow(p, deadline, ct)) return false;
            *Recursion(p) = 1;
            return true;
        }
        finally { _handle.Exit(); }
    }

    private bool EnterSlow(byte* p, Deadline deadline, CancellationToken ct)
    {
        var token = _handle.WaitToken(ct, out var linked);
        try
        {
            switch (LockWord.Acquire(p, deadline, token, out int dead))
            {
                case LockWord.Outcome.Acquired: return true;
                case LockWord.Outcome.Abandoned:
                    *Recursion(p) = 1;
                    throw new IpcAbandonedLockException(dead);
                default: return false;
            }
        }
        catch (OperationCanceledException) when (_handle.DisposedDuring(ct)) { throw _handle.Disposed(); }
        finally { linked?.Dispose(); }
    }

    /// <summary>The async twin of <see cref="Enter"/>, owned by <paramref name="ownerToken"/>.</summary>
    internal ValueTask<bool> EnterAsync(Deadline deadline, CancellationToken ct, int ownerToken)
    {
        if (IncrementIfMine()) return new(true);
        return SyncAsync.RLockEntered(this, AsyncLockEntry.EnterAsync(_handle, RLockLayout.LockOffset, deadline, ct, ownerToken));
    }

    private bool IncrementIfMine()
    {
        byte* p = _handle.Enter();
        try
        {
            if (!LockWord.IsMine(p)) return false;
            ++*Recursion(p);
            return true;
        }
        finally { _handle.Exit(); }
    }

    internal void SetRecursion(int levels)
    {
        byte* p = _handle.Enter();
        try { *Recursion(p) = levels; }
        finally { _handle.Exit(); }
    }

    /// <summary>Releases every level the caller holds and returns how many (for <see cref="IpcCondition"/>).</summary>
    internal int ReleaseAll()
    {
        byte* p = _handle.Enter();
        try
        {
            int n = *Recursion(p);
            *Recursion(p) = 1;
            Release();
            return n;
        }
        finally { _handle.Exit(); }
    }

    /// <summary>The async twin of <see cref="Restore"/>.</summary>
    internal ValueTask RestoreAsync(int levels, int ownerToken) => SyncAsync.RLockRestore(this, levels, ownerToken);

    /// <summary>Re-acquires (no limit) and restores <paramref name="levels"/>.</summary>
    internal void Restore(int levels)
    {
        try { Enter(Deadline.Infinite, CancellationToken.None); }
        finally { SetRecursion(levels); }
    }

    private static int* Recursion(byte* p) => (int*)(p + RLockLayout.RecursionOffset);

    /// <summary>Removes the lock's name (creator) and unmaps it once no call is using it; a call blocked in another
    /// thread throws <see cref="ObjectDisposedException"/>, and so do pending async acquires.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The lock's shared segment name.</summary>
    public override string ToString() => $"IpcRLock({_handle.Name})";

    void ITransferable.WriteTransfer(BinaryWriter writer) => _handle.WriteTransfer(writer);

    internal void WriteTransfer(BinaryWriter writer) => _handle.WriteTransfer(writer);

    internal static IpcRLock ReadTransfer(BinaryReader reader) => Attach(reader.ReadString());

    /// <summary>Creates the lock under a given segment name (a shared value's companion lock).</summary>
    internal static IpcRLock CreateNamed(string name)
        => new(SyncHandle.Create(SegmentKind.RLock, RLockLayout.Size, nameof(IpcRLock), name: name));

    internal static IpcRLock Attach(string name) => new(SyncHandle.Attach(name, SegmentKind.RLock, nameof(IpcRLock)));

    /// <summary>Releases one level when disposed; returned by <see cref="Acquire(TimeSpan?)"/>. Dispose it once.</summary>
    public readonly struct Releaser : IDisposable
    {
        private readonly IpcRLock _lock;

        internal Releaser(IpcRLock owner) => _lock = owner;

        /// <summary>Releases one level.</summary>
        /// <remarks>Python: RLock.__exit__</remarks>
        public void Dispose() => _lock?.Release();
    }
}
