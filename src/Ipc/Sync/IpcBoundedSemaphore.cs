namespace NativeIpc;

/// <summary>A semaphore that refuses to be released above its initial value: a release too many throws
/// <see cref="SemaphoreFullException"/>, which catches release bugs early.</summary>
/// <remarks>Python: multiprocessing.BoundedSemaphore (ValueError on over-release).</remarks>
public sealed class IpcBoundedSemaphore : IpcSemaphore
{
    static IpcBoundedSemaphore() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    /// <summary>Creates a semaphore with <paramref name="value"/> permits, which is also its bound.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    /// <remarks>Python: multiprocessing.BoundedSemaphore(value)</remarks>
    public IpcBoundedSemaphore(int value = 1) : base(value, value, SegmentKind.BoundedSemaphore) { }

    private IpcBoundedSemaphore(SyncHandle handle) : base(handle) { }

    internal static new IpcBoundedSemaphore ReadTransfer(BinaryReader reader)
        => new(SyncHandle.Attach(reader.ReadString(), SegmentKind.BoundedSemaphore, nameof(IpcBoundedSemaphore)));
}
