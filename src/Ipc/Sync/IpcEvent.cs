using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>An event flag shared between processes: <see cref="Set"/> wakes every waiter, <see cref="Clear"/> resets it.
/// Setting an already-set event, or setting with no sleeper, is a single atomic instruction.</summary>
/// <remarks>Python: multiprocessing.Event. A waiter on an event whose would-be setter died keeps waiting, as in
/// Python: pass a timeout where the setter may die.</remarks>
public sealed unsafe class IpcEvent : IDisposable, ITransferable, IAsyncWaitable
{
    static IpcEvent() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly SyncHandle _handle;

    /// <summary>Creates a clear event.</summary>
    /// <remarks>Python: multiprocessing.Event()</remarks>
    public IpcEvent() => _handle = SyncHandle.Create(SegmentKind.Event, EventLayout.Size, nameof(IpcEvent));

    private IpcEvent(SyncHandle handle) => _handle = handle;

    /// <summary>True when the event is set.</summary>
    /// <remarks>Python: Event.is_set()</remarks>
    public bool IsSet
    {
        get
        {
            byte* p = _handle.Enter();
            try { return Volatile.Read(ref *(int*)(p + EventLayout.FlagOffset)) != 0; }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>Sets the event and wakes every waiter, sync and async.</summary>
    /// <remarks>Python: Event.set()</remarks>
    public void Set()
    {
        byte* p = _handle.Enter();
        try
        {
            int* f = (int*)(p + EventLayout.FlagOffset);
            if (Volatile.Read(ref *f) != 0) return;
            // The exchange is a full fence: a sleeper counted itself before the kernel re-checked the flag.
            if (Interlocked.Exchange(ref *f, 1) == 0 && Volatile.Read(ref *(int*)(p + EventLayout.SleepersOffset)) > 0)
                WordParker.Wake(f);
        }
        finally { _handle.Exit(); }
    }

    /// <summary>Clears the event: later waits block until the next <see cref="Set"/>.</summary>
    /// <remarks>Python: Event.clear()</remarks>
    public void Clear()
    {
        byte* p = _handle.Enter();
        try { Volatile.Write(ref *(int*)(p + EventLayout.FlagOffset), 0); }
        finally { _handle.Exit(); }
    }

    /// <summary>Waits until the event is set or <paramref name="timeout"/> elapses (null: no limit); returns the flag
    /// (false only on timeout).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <remarks>Python: Event.wait(timeout=None)</remarks>
    public bool Wait(TimeSpan? timeout = null) => Wait(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Wait(TimeSpan?)"/>, cancellable (the token wakes the sleeper at once).</summary>
    /// <exception cref="ObjectDisposedException">The event was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Event.wait(timeout=None)</remarks>
    public bool Wait(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var deadline = Deadline.From(timeout);
        byte* p = _handle.Enter();
        try { return WaitCore(p, deadline, cancellationToken); }
        finally { _handle.Exit(); }
    }

    private bool WaitCore(byte* p, Deadline deadline, CancellationToken cancellationToken)
    {
        int* f = (int*)(p + EventLayout.FlagOffset);
        if (Volatile.Read(ref *f) != 0) return true;
        if (!deadline.HasPassed)
        {
            var spin = new SpinPhase(WaitTuning.LockSpin);
            while (spin.Spin())
                if (Volatile.Read(ref *f) != 0) return true;
        }
        int* sleepers = (int*)(p + EventLayout.SleepersOffset);
        var token = _handle.WaitToken(cancellationToken, out var linked);
        try
        {
            while (true)
            {
                if (Volatile.Read(ref *f) != 0) return true;
                if (!WordParker.ParkCounted(f, 0, sleepers, deadline, WaitTuning.NoSlice, token))
                    return Volatile.Read(ref *f) != 0;
            }
        }
        catch (OperationCanceledException) when (_handle.DisposedDuring(cancellationToken)) { throw _handle.Disposed(); }
        finally { linked?.Dispose(); }
    }

    /// <summary>Waits until the event is set without holding a thread: the continuation runs when a
    /// <see cref="Set"/> (in any process) wakes the event, by the same wake that wakes synchronous waiters. Returns the
    /// flag (false only when <paramref name="timeout"/> elapsed).</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait, leaving no registration behind.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ObjectDisposedException">The event was disposed (also while the wait was pending).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <remarks>Python: Event.wait(timeout=None) (asyncio.Event.wait in async code)</remarks>
    public ValueTask<bool> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        if (IsSet) return new(true);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<bool>(cancellationToken);
        return WaitAsyncCore(deadline, cancellationToken);
    }

    private ValueTask<bool> WaitAsyncCore(Deadline deadline, CancellationToken ct) => SyncAsync.Until(this, _handle, deadline, ct);

    bool IAsyncWaitable.TryComplete() => IsSet;

    ValueTask<bool> IAsyncWaitable.ParkAsync(Deadline deadline, CancellationToken ct)
    {
        byte* p = _handle.Payload;
        return WordParker.ParkCountedAsync((int*)(p + EventLayout.FlagOffset), 0, (int*)(p + EventLayout.SleepersOffset),
            deadline, WaitTuning.NoSlice, ct, _handle);
    }

    /// <summary>Removes the event's name (creator) and unmaps it once no call is using it; a call blocked in another
    /// thread throws <see cref="ObjectDisposedException"/>, and so do pending async waits.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The event's shared segment name.</summary>
    public override string ToString() => $"IpcEvent({_handle.Name})";

    void ITransferable.WriteTransfer(BinaryWriter writer) => _handle.WriteTransfer(writer);

    internal static IpcEvent ReadTransfer(BinaryReader reader)
        => new(SyncHandle.Attach(reader.ReadString(), SegmentKind.Event, nameof(IpcEvent)));
}
