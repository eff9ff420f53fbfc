using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A counting semaphore shared between processes: an atomic decrement to acquire, an atomic increment to
/// release, a futex sleep only when the count is 0 and a wake only when someone sleeps.</summary>
/// <remarks>Python: multiprocessing.Semaphore. Counts are not owned: a permit taken by a process that dies is
/// <b>not</b> given back (as in Python and with OS semaphores); use timeouts where a peer may die holding one.</remarks>
public unsafe class IpcSemaphore : IDisposable, ITransferable, IAsyncWaitable
{
    static IpcSemaphore() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly SyncHandle _handle;

    /// <summary>Creates a semaphore with <paramref name="value"/> permits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    /// <remarks>Python: multiprocessing.Semaphore(value)</remarks>
    public IpcSemaphore(int value = 1) : this(value, int.MaxValue, SegmentKind.Semaphore) { }

    private protected IpcSemaphore(int value, int maxValue, SegmentKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        _handle = SyncHandle.Create(kind, SemaphoreLayout.Size, GetType().Name, p =>
        {
            *(int*)(p + SemaphoreLayout.CountOffset) = value;
            *(int*)(p + SemaphoreLayout.MaxValueOffset) = maxValue;
        });
    }

    private protected IpcSemaphore(SyncHandle handle) => _handle = handle;

    /// <summary>The current count (a snapshot).</summary>
    /// <remarks>Python: Semaphore.get_value()</remarks>
    public int Value
    {
        get
        {
            byte* p = _handle.Enter();
            try { return Volatile.Read(ref *(int*)(p + SemaphoreLayout.CountOffset)); }
            finally { _handle.Exit(); }
        }
    }

    // A permit now, under a reference on the mapping.
    private bool TryTakeNow()
    {
        byte* p = _handle.Enter();
        try { return TryTake((int*)(p + SemaphoreLayout.CountOffset)); }
        finally { _handle.Exit(); }
    }

    /// <summary>Takes a permit, waiting at most <paramref name="timeout"/> (null: no limit); dispose the result to give it back.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <exception cref="ObjectDisposedException">The semaphore was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Semaphore.acquire() / with sem:</remarks>
    public Releaser Acquire(TimeSpan? timeout = null) => Acquire(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Acquire(TimeSpan?)"/>, cancellable (the token wakes the sleeper at once).</summary>
    /// <remarks>Python: Semaphore.acquire()</remarks>
    public Releaser Acquire(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!Enter(Deadline.From(timeout), cancellationToken))
            throw Deadline.TimedOut("Acquiring the semaphore");
        return new Releaser(this);
    }

    /// <summary>Tries to take a permit within <paramref name="timeout"/> (default: no wait).</summary>
    /// <remarks>Python: Semaphore.acquire(block=False) / Semaphore.acquire(timeout=t)</remarks>
    public bool TryAcquire(TimeSpan timeout = default) => Enter(Deadline.From(timeout), CancellationToken.None);

    /// <summary>Like <see cref="TryAcquire(TimeSpan)"/>, cancellable.</summary>
    /// <remarks>Python: Semaphore.acquire(timeout=t)</remarks>
    public bool TryAcquire(TimeSpan timeout, CancellationToken cancellationToken) => Enter(Deadline.From(timeout), cancellationToken);

    /// <summary>Takes a permit without holding a thread while waiting (woken by the same <see cref="Release"/> that
    /// wakes a synchronous waiter); true once taken, false if <paramref name="timeout"/> elapsed first. Give the
    /// permit back with <see cref="Release"/>.</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait; a cancelled wait takes no permit and leaves no trace.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ObjectDisposedException">The semaphore was disposed (also while the wait was pending).</exception>
    /// <remarks>Python: Semaphore.acquire(timeout=t) (SemaphoreSlim.WaitAsync in .NET terms)</remarks>
    public ValueTask<bool> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        if (TryTakeNow()) return new(true);
        return EnterAsync(deadline, cancellationToken);
    }

    /// <summary>Like <see cref="WaitAsync"/>, but returns a releaser (dispose it to give the permit back) and throws
    /// on timeout: <c>using (await sem.AcquireAsync()) { ... }</c>.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ObjectDisposedException">The semaphore was disposed (also while the wait was pending).</exception>
    /// <remarks>Python: Semaphore.acquire() / with sem:</remarks>
    public ValueTask<Releaser> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => SyncAsync.OrTimeout(WaitAsync(timeout, cancellationToken), new Releaser(this), "Acquiring the semaphore");

    /// <summary>Gives back <paramref name="count"/> permits and wakes as many sleepers.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="SemaphoreFullException">An <see cref="IpcBoundedSemaphore"/> would exceed its initial value.</exception>
    /// <remarks>Python: Semaphore.release()</remarks>
    public void Release(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        byte* p = _handle.Enter();
        try { ReleaseCore(p, count); }
        finally { _handle.Exit(); }
    }

    private static void ReleaseCore(byte* p, int count)
    {
        int* c = (int*)(p + SemaphoreLayout.CountOffset);
        int max = *(int*)(p + SemaphoreLayout.MaxValueOffset);
        while (true)
        {
            int v = Volatile.Read(ref *c);
            if (v > max - count)
                throw new SemaphoreFullException(max == int.MaxValue ? "The semaphore count would overflow." : $"Semaphore released too many times (its bound is {max}).");
            if (Interlocked.CompareExchange(ref *c, v + count, v) == v) break;
        }
        // The CAS is a full fence: the sleeper count read after it is not stale (a sleeper counted itself before
        // its kernel re-check of the count).
        if (Volatile.Read(ref *(int*)(p + SemaphoreLayout.SleepersOffset)) > 0) WordParker.Wake(c, count);
    }

    private static bool TryTake(int* c)
    {
        while (true)
        {
            int v = Volatile.Read(ref *c);
            if (v <= 0) return false;
            if (Interlocked.CompareExchange(ref *c, v - 1, v) == v) return true;
        }
    }

    internal bool Enter(Deadline deadline, CancellationToken ct)
    {
        byte* p = _handle.Enter();
        try { return EnterCore(p, deadline, ct); }
        finally { _handle.Exit(); }
    }

    private bool EnterCore(byte* p, Deadline deadline, CancellationToken ct)
    {
        int* c = (int*)(p + SemaphoreLayout.CountOffset);
        if (TryTake(c)) return true;
        if (deadline.HasPassed) return false;
        var spin = new SpinPhase(WaitTuning.LockSpin);
        while (spin.Spin())
            if (TryTake(c)) return true;
        int* sleepers = (int*)(p + SemaphoreLayout.SleepersOffset);
        var token = _handle.WaitToken(ct, out var linked);
        try
        {
            while (true)
            {
                if (TryTake(c)) return true;
                // Sleeps only while the count is 0; counted as a sleeper first, so a release after the kernel's
                // re-check sees us and wakes.
                if (!WordParker.ParkCounted(c, 0, sleepers, deadline, WaitTuning.NoSlice, token)) return TryTake(c);
            }
        }
        catch (OperationCanceledException) when (_handle.DisposedDuring(ct)) { throw _handle.Disposed(); }
        finally { linked?.Dispose(); }
    }

    /// <summary>The async twin of <see cref="Enter"/> (no spin: an async caller prefers to yield its thread).</summary>
    private ValueTask<bool> EnterAsync(Deadline deadline, CancellationToken ct) => SyncAsync.Until(this, _handle, deadline, ct);

    bool IAsyncWaitable.TryComplete() => TryTakeNow();

    ValueTask<bool> IAsyncWaitable.ParkAsync(Deadline deadline, CancellationToken ct)
    {
        byte* p = _handle.Payload;
        return WordParker.ParkCountedAsync((int*)(p + SemaphoreLayout.CountOffset), 0, (int*)(p + SemaphoreLayout.SleepersOffset),
            deadline, WaitTuning.NoSlice, ct, _handle);
    }

    /// <summary>Removes the semaphore's name (creator) and unmaps it once no call is using it; a call blocked in
    /// another thread throws <see cref="ObjectDisposedException"/>, and so do pending async waits.</summary>
    public void Dispose()
    {
        _handle.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The semaphore's shared segment name and count.</summary>
    public override string ToString() => _handle.IsDisposed ? $"{GetType().Name}(disposed)" : $"{GetType().Name}({_handle.Name}, value={Value})";

    void ITransferable.WriteTransfer(BinaryWriter writer) => _handle.WriteTransfer(writer);

    internal static IpcSemaphore ReadTransfer(BinaryReader reader)
        => new(SyncHandle.Attach(reader.ReadString(), SegmentKind.Semaphore, nameof(IpcSemaphore)));

    /// <summary>Gives the permit back when disposed; returned by <see cref="Acquire(TimeSpan?)"/>. Dispose it once.</summary>
    public readonly struct Releaser : IDisposable
    {
        private readonly IpcSemaphore _semaphore;

        internal Releaser(IpcSemaphore owner) => _semaphore = owner;

        /// <summary>Releases one permit.</summary>
        /// <remarks>Python: Semaphore.__exit__</remarks>
        public void Dispose() => _semaphore?.Release();
    }
}
