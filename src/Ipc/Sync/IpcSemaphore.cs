using NativeIpc.Os;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A counting semaphore shared between processes: an atomic decrement to acquire, an atomic increment to
/// release, a futex sleep only when the count is 0 and a wake only when someone sleeps.</summary>
/// <remarks>Python: multiprocessing.Semaphore. Counts are not owned: a permit taken by a process that dies is
/// <b>not</b> given back (as in Python and with OS semaphores); use timeouts where a peer may die holding one.</remarks>
public unsafe class IpcSemaphore : IDisposable, ITransferable
{
    static IpcSemaphore() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private const int SleepSliceMs = 200;
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

    private int* Count => (int*)(_handle.Payload + SemaphoreLayout.CountOffset);

    /// <summary>The current count (a snapshot).</summary>
    /// <remarks>Python: Semaphore.get_value()</remarks>
    public int Value => Volatile.Read(ref *Count);

    /// <summary>Takes a permit, waiting at most <paramref name="timeout"/> (null: no limit); dispose the result to give it back.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <remarks>Python: Semaphore.acquire() / with sem:</remarks>
    public Releaser Acquire(TimeSpan? timeout = null) => Acquire(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Acquire(TimeSpan?)"/>, cancellable (noticed within about 50 ms).</summary>
    /// <remarks>Python: Semaphore.acquire()</remarks>
    public Releaser Acquire(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (!Enter(SyncTimeout.From(timeout), cancellationToken))
            throw new TimeoutException($"The semaphore was not acquired within {timeout}.");
        return new Releaser(this);
    }

    /// <summary>Tries to take a permit within <paramref name="timeout"/> (default: no wait).</summary>
    /// <remarks>Python: Semaphore.acquire(block=False) / Semaphore.acquire(timeout=t)</remarks>
    public bool TryAcquire(TimeSpan timeout = default) => Enter(SyncTimeout.From(timeout), CancellationToken.None);

    /// <summary>Gives back <paramref name="count"/> permits and wakes as many sleepers.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="SemaphoreFullException">An <see cref="IpcBoundedSemaphore"/> would exceed its initial value.</exception>
    /// <remarks>Python: Semaphore.release()</remarks>
    public void Release(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        byte* p = _handle.Payload;
        int* c = (int*)(p + SemaphoreLayout.CountOffset);
        int max = *(int*)(p + SemaphoreLayout.MaxValueOffset);
        while (true)
        {
            int v = Volatile.Read(ref *c);
            if (v > max - count)
                throw new SemaphoreFullException(max == int.MaxValue ? "The semaphore count would overflow." : $"Semaphore released too many times (its bound is {max}).");
            if (Interlocked.CompareExchange(ref *c, v + count, v) == v) break;
        }
        if (Volatile.Read(ref *(int*)(p + SemaphoreLayout.SleepersOffset)) > 0) OsLayer.Waiter.Wake(c, count);
    }

    private bool TryTake(int* c)
    {
        int v = Volatile.Read(ref *c);
        return v > 0 && Interlocked.CompareExchange(ref *c, v - 1, v) == v;
    }

    internal bool Enter(SyncTimeout timeout, CancellationToken ct)
    {
        byte* p = _handle.Payload;
        int* c = (int*)(p + SemaphoreLayout.CountOffset);
        if (TryTake(c)) return true;
        if (timeout.Expired) return TryTake(c);
        for (int i = 0; i < LockWord.SpinCount; i++)
        {
            LockWord.Pause(i);
            if (TryTake(c)) return true;
        }
        int* sleepers = (int*)(p + SemaphoreLayout.SleepersOffset);
        int slice = ct.CanBeCanceled ? LockWord.CancellationPollMs : SleepSliceMs;
        while (true)
        {
            if (TryTake(c)) return true;
            if (Volatile.Read(ref *c) > 0) continue;
            ct.ThrowIfCancellationRequested();
            int ms = timeout.SliceMs(slice);
            if (ms == 0) return false;
            Interlocked.Increment(ref *sleepers);
            // Registered before re-reading the count: a release after this point sees us and wakes.
            if (Volatile.Read(ref *c) == 0) OsLayer.Waiter.Wait(c, 0, ms);
            Interlocked.Decrement(ref *sleepers);
        }
    }

    /// <summary>Removes the semaphore's name (creator) and unmaps it.</summary>
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
