using System.Runtime.CompilerServices;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A lock shared between processes: one atomic instruction to acquire and one to release when uncontended;
/// a contended waiter spins briefly, then sleeps on the lock word (futex on Linux). The word records the holder's
/// pid: if the holder dies, the next waiter takes the lock over and gets <see cref="IpcAbandonedLockException"/>
/// (holding the lock) within about <c>100 ms</c>, instead of waiting forever as Python would.</summary>
/// <remarks>Python: multiprocessing.Lock. As in Python the lock is not reentrant (a second acquire by the same thread
/// waits), and any thread or process may release it. Pass it to a child as an argument of <see cref="IpcProcess"/>.
/// Limits: only the death of the holding <i>process</i> is detected (a thread that exits holding the lock is not);
/// the lock word stores the holder's owner id (<c>ProcessLiveness.Self</c>), so a recycled pid is not taken for the
/// dead holder. Disposing the lock while another thread waits on it makes that wait throw
/// <see cref="ObjectDisposedException"/> (pending <see cref="AcquireAsync"/> calls too).</remarks>
public sealed unsafe class IpcLock : IDisposable, ITransferable
{
    static IpcLock() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly SyncHandle _handle;

    /// <summary>Creates an unlocked lock.</summary>
    /// <remarks>Python: multiprocessing.Lock()</remarks>
    public IpcLock() => _handle = SyncHandle.Create(SegmentKind.Lock, LockLayout.Size, nameof(IpcLock));

    private IpcLock(SyncHandle handle) => _handle = handle;

    /// <summary>Spin steps every NativeIpc sync primitive in this process takes before it sleeps in the kernel
    /// (default 900: one normalised pause each, ~40 ns, so about 36 µs; the CPU is yielded every 576th step). 0 sleeps at once, which
    /// suits single-core machines; a kernel sleep/wake between CPUs costs about 27 µs per wake-up.</summary>
    public static int SpinCount
    {
        get => WaitTuning.LockSpin;
        set => WaitTuning.LockSpin = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The spin count cannot be negative.");
    }

    /// <summary>True while some thread of some process holds the lock (a snapshot).</summary>
    public bool IsLocked
    {
        get
        {
            byte* p = _handle.Enter();
            try { return LockWord.IsLocked(p); }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>Acquires the lock, waiting at most <paramref name="timeout"/> (null or <see cref="Timeout.InfiniteTimeSpan"/>:
    /// no limit); dispose the result to release: <c>using (lk.Acquire()) { ... }</c>.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="IpcAbandonedLockException">The holder died; the lock is now held by the caller.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <exception cref="ObjectDisposedException">The lock was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Lock.acquire() / with lock:</remarks>
    public Releaser Acquire(TimeSpan? timeout = null) => Acquire(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Acquire(TimeSpan?)"/>, and stops waiting (throwing <see cref="OperationCanceledException"/>)
    /// when <paramref name="cancellationToken"/> fires (the token wakes the sleeper at once).</summary>
    /// <remarks>Python: Lock.acquire()</remarks>
    public Releaser Acquire(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!Enter(WaitLimit.From(timeout), cancellationToken))
            throw Deadline.TimedOut("Acquiring the lock");
        return new Releaser(this);
    }

    /// <summary>Acquires the lock without holding a thread while waiting: the caller's continuation runs once the
    /// lock is taken, woken by the same release that wakes a synchronous waiter. Dispose the result to release:
    /// <c>using (await lk.AcquireAsync()) { ... }</c> (any thread may release an <see cref="IpcLock"/>).</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait; a cancelled wait leaves no trace and does not hold the lock.</param>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="IpcAbandonedLockException">The holder died; the lock is now held by the caller.</exception>
    /// <exception cref="ObjectDisposedException">The lock was disposed (also while the wait was pending).</exception>
    /// <remarks>Python: Lock.acquire() (asyncio.Lock.acquire in async code)</remarks>
    public ValueTask<Releaser> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        // The owner is the caller's async flow, taken here (synchronously) so it flows on in the caller.
        return SyncAsync.OrTimeout(EnterAsync(deadline, cancellationToken, LockOwner.Flow()), new Releaser(this), "Acquiring the lock");
    }

    /// <summary>Tries to acquire the lock within <paramref name="timeout"/> (default: no wait). Returns false if the
    /// time ran out. A zero timeout does not check whether the holder is alive.</summary>
    /// <exception cref="IpcAbandonedLockException">The holder died; the lock is now held by the caller.</exception>
    /// <remarks>Python: Lock.acquire(block=False) / Lock.acquire(timeout=t)</remarks>
    public bool TryAcquire(TimeSpan timeout = default) => Enter(WaitLimit.From(timeout), CancellationToken.None);

    /// <summary>Like <see cref="TryAcquire(TimeSpan)"/>, and stops waiting (throwing
    /// <see cref="OperationCanceledException"/>) when <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="IpcAbandonedLockException">The holder died; the lock is now held by the caller.</exception>
    /// <remarks>Python: Lock.acquire(timeout=t)</remarks>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken) => Enter(WaitLimit.From(timeout), cancellationToken);

    /// <summary>Releases the lock.</summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    /// <remarks>Python: Lock.release()</remarks>
    public void Release()
    {
        byte* p = _handle.Enter();
        try { LockWord.Release(p); }
        finally { _handle.Exit(); }
    }

    /// <summary>Takes the lock within <paramref name="limit"/>: the free lock is taken before the clock is read.</summary>
    internal bool Enter(WaitLimit limit, CancellationToken ct)
    {
        byte* p = _handle.Enter();
        try
        {
            if (LockWord.TryAcquireFast(p)) return true;
            return EnterSlow(p, limit.Start(), ct);
        }
        finally { _handle.Exit(); }
    }

    internal bool Enter(Deadline deadline, CancellationToken ct)
    {
        byte* p = _handle.Enter();
        try
        {
            if (LockWord.TryAcquireFast(p)) return true;
            return EnterSlow(p, deadline, ct);
        }
        finally { _handle.Exit(); }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the uncontended path a small frame
    private bool EnterSlow(byte* p, Deadline deadline, CancellationToken ct)
    {
        var token = _handle.WaitToken(ct, out var linked);
        try
        {
            switch (LockWord.Acquire(p, deadline, token, out int dead))
            {
                case LockWord.Outcome.Acquired: return true;
                case LockWord.Outcome.Abandoned: throw new IpcAbandonedLockException(dead);
                default: return false;
            }
        }
        catch (OperationCanceledException) when (_handle.DisposedDuring(ct)) { throw _handle.Disposed(); }
        finally { linked?.Dispose(); }
    }

    /// <summary>The async twin of <see cref="Enter(Deadline, CancellationToken)"/>: contends in sync steps, parks through
    /// <see cref="WordParker.ParkAsync"/> between them (liveness slices, as a sync waiter).</summary>
    internal ValueTask<bool> EnterAsync(Deadline deadline, CancellationToken ct, int ownerToken)
        => AsyncLockEntry.EnterAsync(_handle, LockLayout.WordOffset, deadline, ct, ownerToken);

    internal bool IsMine
    {
        get
        {
            byte* p = _handle.Enter();
            try { return LockWord.IsMine(p); }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>Removes the lock's name (creator) and unmaps it once no call is using it; a call blocked in another
    /// thread throws <see cref="ObjectDisposedException"/>, and so do pending <see cref="AcquireAsync"/> calls. Other
    /// processes keep the lock they attached.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The lock's shared segment name.</summary>
    public override string ToString() => $"IpcLock({_handle.Name})";

    void ITransferable.WriteTransfer(BinaryWriter writer) => _handle.WriteTransfer(writer);

    internal void WriteTransfer(BinaryWriter writer) => _handle.WriteTransfer(writer);

    internal static IpcLock ReadTransfer(BinaryReader reader)
        => new(SyncHandle.Attach(reader.ReadString(), SegmentKind.Lock, nameof(IpcLock)));

    /// <summary>Releases the lock when disposed; returned by <see cref="Acquire(TimeSpan?)"/>. Dispose it once.</summary>
    public readonly struct Releaser : IDisposable
    {
        private readonly IpcLock _lock;

        internal Releaser(IpcLock owner) => _lock = owner;

        /// <summary>Releases the lock.</summary>
        /// <remarks>Python: Lock.__exit__</remarks>
        public void Dispose() => _lock?.Release();
    }
}
