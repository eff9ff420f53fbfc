using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>A kernel mutex (CreateMutexW / OpenMutexW). Ownership belongs to a thread: the thread that waited
/// must be the one that releases. If the owner dies, the next waiter gets <see cref="WaitOutcome.Abandoned"/>.</summary>
internal sealed unsafe class WindowsMutex : IDisposable
{
    /// <summary>Wraps an existing mutex handle, e.g. an inherited one; this object owns it from now on.</summary>
    public WindowsMutex(SafeWaitHandle handle) : this(handle, created: false) { }

    private WindowsMutex(SafeWaitHandle handle, bool created)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Handle = handle;
        Created = created;
    }

    /// <summary>The mutex handle.</summary>
    public SafeWaitHandle Handle { get; }

    /// <summary>True when this call created the mutex; false when it opened an existing one.</summary>
    public bool Created { get; }

    /// <summary>Creates a mutex.</summary>
    /// <param name="name">Object name, or null for an anonymous mutex passed by handle.</param>
    /// <param name="initialOwner">Whether the calling thread owns it at once (only if this call created it).</param>
    /// <param name="failIfExists">When the name exists: true throws <see cref="WindowsIoException.ErrorAlreadyExists"/>;
    /// false opens it and sets <see cref="Created"/> to false.</param>
    public static WindowsMutex Create(string? name, bool initialOwner = false, bool failIfExists = true)
    {
        var sa = OwnerOnlySecurity.Attributes;
        var handle = Kernel32.CreateMutexW(&sa, initialOwner, name);
        return new WindowsMutex(handle, WindowsIoException.CheckCreated(handle, "CreateMutexW", name, failIfExists));
    }

    /// <summary>Opens an existing named mutex with SYNCHRONIZE | MUTEX_MODIFY_STATE.</summary>
    public static WindowsMutex Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var handle = Kernel32.OpenMutexW(Kernel32.SYNCHRONIZE | Kernel32.MUTEX_MODIFY_STATE, false, name);
        WindowsIoException.ThrowIfInvalid(handle, "OpenMutexW", name);
        return new WindowsMutex(handle);
    }

    /// <summary>Acquires the mutex, waiting up to <paramref name="timeoutMilliseconds"/> (-1: forever).
    /// <see cref="WaitOutcome.Abandoned"/> also means acquired.</summary>
    public WaitOutcome Wait(int timeoutMilliseconds) => WindowsWait.WaitOne(Handle, timeoutMilliseconds);

    /// <summary>Releases the mutex once (ReleaseMutex); fails if the calling thread does not own it.</summary>
    public void Release()
    {
        if (!Kernel32.ReleaseMutex(Handle)) throw WindowsIoException.FromLastError("ReleaseMutex");
    }

    /// <summary>Closes the handle.</summary>
    public void Dispose() => Handle.Dispose();
}
