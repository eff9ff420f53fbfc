using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>Any kernel object handle closed with CloseHandle (jobs, threads, file mappings, duplicated handles).</summary>
internal sealed class SafeWin32Handle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Creates an invalid handle; used by the interop marshaller.</summary>
    public SafeWin32Handle() : base(ownsHandle: true) { }

    /// <summary>Wraps an existing handle value, e.g. one inherited from a parent process.</summary>
    public SafeWin32Handle(nint handle, bool ownsHandle) : base(ownsHandle) => SetHandle(handle);

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Kernel32.CloseHandle(handle);
}
