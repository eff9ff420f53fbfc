using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>A kernel event (CreateEventW / OpenEventW): manual-reset stays signaled until reset and releases every
/// waiter; auto-reset releases one waiter and resets itself.</summary>
internal sealed unsafe class WindowsEvent : IDisposable
{
    /// <summary>Wraps an existing event handle, e.g. an inherited one; this object owns it from now on.</summary>
    public WindowsEvent(SafeWaitHandle handle) : this(handle, created: false) { }

    private WindowsEvent(SafeWaitHandle handle, bool created)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Handle = handle;
        Created = created;
    }

    /// <summary>The event handle.</summary>
    public SafeWaitHandle Handle { get; }

    /// <summary>True when this call created the event; false when it opened an existing one.</summary>
    public bool Created { get; }

    /// <summary>Creates an event.</summary>
    /// <param name="name">Object name, or null for an anonymous event passed by handle.</param>
    /// <param name="manualReset">True for manual-reset, false for auto-reset.</param>
    /// <param name="initialState">Whether it starts signaled.</param>
    /// <param name="failIfExists">When the name exists: true throws <see cref="WindowsIoException.ErrorAlreadyExists"/>;
    /// false opens it (with its own mode and state) and sets <see cref="Created"/> to false.</param>
    public static WindowsEvent Create(string? name, bool manualReset, bool initialState = false, bool failIfExists = true)
    {
        var sa = OwnerOnlySecurity.Attributes;
        var handle = Kernel32.CreateEventW(&sa, manualReset, initialState, name);
        return new WindowsEvent(handle, WindowsIoException.CheckCreated(handle, "CreateEventW", name, failIfExists));
    }

    /// <summary>Opens an existing named event with SYNCHRONIZE | EVENT_MODIFY_STATE.</summary>
    public static WindowsEvent Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var handle = Kernel32.OpenEventW(Kernel32.SYNCHRONIZE | Kernel32.EVENT_MODIFY_STATE, false, name);
        WindowsIoException.ThrowIfInvalid(handle, "OpenEventW", name);
        return new WindowsEvent(handle);
    }

    /// <summary>Signals the event (SetEvent).</summary>
    public void Set()
    {
        if (!Kernel32.SetEvent(Handle)) throw WindowsIoException.FromLastError("SetEvent");
    }

    /// <summary>Clears the event (ResetEvent).</summary>
    public void Reset()
    {
        if (!Kernel32.ResetEvent(Handle)) throw WindowsIoException.FromLastError("ResetEvent");
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) for the event to be signaled.</summary>
    public WaitOutcome Wait(int timeoutMilliseconds) => WindowsWait.WaitOne(Handle, timeoutMilliseconds);

    /// <summary>Closes the handle.</summary>
    public void Dispose() => Handle.Dispose();
}
