namespace NativeIpc;

/// <summary>A lock kept by a remote manager's server (<see cref="IpcManager.Lock(string)"/>). When every connection
/// of the process that holds it is gone (the process died or disposed its manager), the server releases it.</summary>
/// <remarks>Python: Manager().Lock() (a threading.Lock proxy)</remarks>
public sealed class ManagedLock
{
    private readonly IManagerLink _link;
    private readonly int _id;

    internal ManagedLock(IManagerLink link, string name)
    {
        _link = link;
        Name = name;
        _id = link.Open(ManagerObjectKind.Lock, 0, 1, name);
    }

    /// <summary>The name the lock has on its manager.</summary>
    public string Name { get; }

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/> (null: no limit); false if it stayed held.</summary>
    /// <exception cref="IpcPipeClosedException">The manager's server is gone (also while waiting).</exception>
    /// <remarks>Python: lock.acquire(timeout=…)</remarks>
    public bool Acquire(TimeSpan? timeout = null)
    {
        int ms = timeout is not { } t || t == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(t.TotalMilliseconds, 0, int.MaxValue);
        return new ManagerReader(_link.Call(ManagerMessage.Request(ManagerOp.LockAcquire, _id).I32(ms))).Bool();
    }

    /// <summary>Releases the lock (any process may, as with Python's Lock).</summary>
    /// <exception cref="SynchronizationLockException">The lock is not held.</exception>
    /// <remarks>Python: lock.release()</remarks>
    public void Release() => _link.Call(ManagerMessage.Request(ManagerOp.LockRelease, _id));

    /// <inheritdoc/>
    public override string ToString() => $"ManagedLock({Name})";
}
