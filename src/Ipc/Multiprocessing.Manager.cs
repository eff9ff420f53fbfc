namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Creates a manager of shared collections (<see cref="IpcManager.Dict{TKey,TValue}(long?)"/>,
    /// <see cref="IpcManager.List{T}(long?)"/>); dispose it to remove them: <c>using var m = Multiprocessing.Manager();</c></summary>
    /// <param name="capacityBytes">Bytes of serialized entries each collection holds unless told otherwise.</param>
    /// <remarks>Python: multiprocessing.Manager()</remarks>
    public static IpcManager Manager(long capacityBytes = IpcManager.DefaultCapacityBytes) => new(capacityBytes);
}
