namespace NativeIpc;

/// <summary>A change to a shared collection of an <see cref="IpcManager"/> would make its snapshot larger than the
/// byte capacity it was created with. The collection is unchanged.</summary>
/// <remarks>Python has no equivalent: a Manager's collections live in the server process's heap.</remarks>
public sealed class IpcCapacityExceededException : IpcException
{
    /// <summary>Creates the exception for a snapshot of <paramref name="required"/> bytes against <paramref name="capacity"/>.</summary>
    public IpcCapacityExceededException(long required, long capacity)
        : base($"The change needs {required} bytes but the shared collection holds at most {capacity} bytes; nothing was changed. " +
               "Create the collection with a larger capacity (IpcManager(capacityBytes) or the capacityBytes argument).")
    {
        RequiredBytes = required;
        CapacityBytes = capacity;
    }

    /// <summary>Bytes the new snapshot would have needed.</summary>
    public long RequiredBytes { get; }

    /// <summary>The collection's capacity in bytes.</summary>
    public long CapacityBytes { get; }
}
