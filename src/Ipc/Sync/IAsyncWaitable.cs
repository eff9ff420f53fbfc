namespace NativeIpc.Sync;

/// <summary>A sync primitive's async wait, in the two synchronous steps <see cref="SyncAsync.Until"/> loops over
/// (the primitives are unsafe classes, where C# allows no <c>await</c>).</summary>
internal interface IAsyncWaitable
{
    /// <summary>Tries to finish the wait now (take the permit, see the flag).</summary>
    bool TryComplete();

    /// <summary>Parks once on the primitive's word (see <see cref="WordParker.ParkAsync"/>); false when the deadline passed.</summary>
    ValueTask<bool> ParkAsync(Deadline deadline, CancellationToken cancellationToken);
}
