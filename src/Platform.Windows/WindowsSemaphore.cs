using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>A kernel semaphore (CreateSemaphoreW / OpenSemaphoreW). Unlike a mutex it has no owner: any thread of
/// any process may release it.</summary>
internal sealed unsafe class WindowsSemaphore : IDisposable
{
    /// <summary>Wraps an existing semaphore handle, e.g. an inherited one; this object owns it from now on.</summary>
    public WindowsSemaphore(SafeWaitHandle handle) : this(handle, created: false) { }

    private WindowsSemaphore(SafeWaitHandle handle, bool created)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Handle = handle;
        Created = created;
    }

    /// <summary>The semaphore handle.</summary>
    public SafeWaitHandle Handle { get; }

    /// <summary>True when this call created the semaphore; false when it opened an existing one.</summary>
    public bool Created { get; }

    /// <summary>Creates a semaphore.</summary>
    /// <param name="name">Object name, or null for an anonymous semaphore passed by handle.</param>
    /// <param name="initialCount">Starting count, from 0 to <paramref name="maximumCount"/>.</param>
    /// <param name="maximumCount">Highest count, at least 1.</param>
    /// <param name="failIfExists">When the name exists: true throws <see cref="WindowsIoException.ErrorAlreadyExists"/>;
    /// false opens it (with its own counts) and sets <see cref="Created"/> to false.</param>
    public static WindowsSemaphore Create(string? name, int initialCount, int maximumCount = int.MaxValue, bool failIfExists = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumCount);
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialCount, maximumCount);
        var sa = OwnerOnlySecurity.Attributes;
        var handle = Kernel32.CreateSemaphoreW(&sa, initialCount, maximumCount, name);
        return new WindowsSemaphore(handle, WindowsIoException.CheckCreated(handle, "CreateSemaphoreW", name, failIfExists));
    }

    /// <summary>Opens an existing named semaphore with SYNCHRONIZE | SEMAPHORE_MODIFY_STATE.</summary>
    public static WindowsSemaphore Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var handle = Kernel32.OpenSemaphoreW(Kernel32.SYNCHRONIZE | Kernel32.SEMAPHORE_MODIFY_STATE, false, name);
        WindowsIoException.ThrowIfInvalid(handle, "OpenSemaphoreW", name);
        return new WindowsSemaphore(handle);
    }

    /// <summary>Takes one count, waiting up to <paramref name="timeoutMilliseconds"/> (-1: forever).</summary>
    public WaitOutcome Wait(int timeoutMilliseconds) => WindowsWait.WaitOne(Handle, timeoutMilliseconds);

    /// <summary>Adds <paramref name="count"/> (ReleaseSemaphore) and returns the count before. Fails with
    /// ERROR_TOO_MANY_POSTS rather than pass the maximum.</summary>
    public int Release(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!Kernel32.ReleaseSemaphore(Handle, count, out int previous))
            throw WindowsIoException.FromLastError("ReleaseSemaphore");
        return previous;
    }

    /// <summary>Closes the handle.</summary>
    public void Dispose() => Handle.Dispose();
}
