using NativeIpc.Os;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>An event flag shared between processes: <see cref="Set"/> wakes every waiter, <see cref="Clear"/> resets it.
/// Setting an already-set event, or setting with no sleeper, is a single atomic instruction.</summary>
/// <remarks>Python: multiprocessing.Event. A waiter on an event whose would-be setter died keeps waiting, as in
/// Python: pass a timeout where the setter may die.</remarks>
public sealed unsafe class IpcEvent : IDisposable, ITransferable
{
    static IpcEvent() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private const int SleepSliceMs = 200;
    private readonly SyncHandle _handle;

    /// <summary>Creates a clear event.</summary>
    /// <remarks>Python: multiprocessing.Event()</remarks>
    public IpcEvent() => _handle = SyncHandle.Create(SegmentKind.Event, EventLayout.Size, nameof(IpcEvent));

    private IpcEvent(SyncHandle handle) => _handle = handle;

    private int* Flag => (int*)(_handle.Payload + EventLayout.FlagOffset);

    /// <summary>True when the event is set.</summary>
    /// <remarks>Python: Event.is_set()</remarks>
    public bool IsSet => Volatile.Read(ref *Flag) != 0;

    /// <summary>Sets the event and wakes every waiter.</summary>
    /// <remarks>Python: Event.set()</remarks>
    public void Set()
    {
        byte* p = _handle.Payload;
        int* f = (int*)(p + EventLayout.FlagOffset);
        if (Volatile.Read(ref *f) != 0) return;
        if (Interlocked.Exchange(ref *f, 1) == 0 && Volatile.Read(ref *(int*)(p + EventLayout.SleepersOffset)) > 0)
            OsLayer.Waiter.Wake(f, int.MaxValue);
    }

    /// <summary>Clears the event: later waits block until the next <see cref="Set"/>.</summary>
    /// <remarks>Python: Event.clear()</remarks>
    public void Clear() => Volatile.Write(ref *Flag, 0);

    /// <summary>Waits until the event is set or <paramref name="timeout"/> elapses (null: no limit); returns the flag
    /// (false only on timeout).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <remarks>Python: Event.wait(timeout=None)</remarks>
    public bool Wait(TimeSpan? timeout = null) => Wait(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Wait(TimeSpan?)"/>, cancellable (noticed within about 50 ms).</summary>
    /// <remarks>Python: Event.wait(timeout=None)</remarks>
    public bool Wait(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var to = SyncTimeout.From(timeout);
        byte* p = _handle.Payload;
        int* f = (int*)(p + EventLayout.FlagOffset);
        if (Volatile.Read(ref *f) != 0) return true;
        if (!to.Expired)
        {
            for (int i = 0; i < LockWord.SpinCount; i++)
            {
                LockWord.Pause(i);
                if (Volatile.Read(ref *f) != 0) return true;
            }
        }
        int* sleepers = (int*)(p + EventLayout.SleepersOffset);
        int slice = cancellationToken.CanBeCanceled ? LockWord.CancellationPollMs : SleepSliceMs;
        while (true)
        {
            if (Volatile.Read(ref *f) != 0) return true;
            cancellationToken.ThrowIfCancellationRequested();
            int ms = to.SliceMs(slice);
            if (ms == 0) return false;
            Interlocked.Increment(ref *sleepers);
            if (Volatile.Read(ref *f) == 0) OsLayer.Waiter.Wait(f, 0, ms);
            Interlocked.Decrement(ref *sleepers);
        }
    }

    /// <summary>Removes the event's name (creator) and unmaps it.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The event's shared segment name.</summary>
    public override string ToString() => $"IpcEvent({_handle.Name})";

    void ITransferable.WriteTransfer(BinaryWriter writer) => _handle.WriteTransfer(writer);

    internal static IpcEvent ReadTransfer(BinaryReader reader)
        => new(SyncHandle.Attach(reader.ReadString(), SegmentKind.Event, nameof(IpcEvent)));
}
