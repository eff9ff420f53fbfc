using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>The base address of a mapped view; a SafeHandle so a leaked view is still unmapped by the finalizer.</summary>
internal sealed class SafeMappedViewHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeMappedViewHandle() : base(ownsHandle: true) { }

    protected override bool ReleaseHandle() => Kernel32.UnmapViewOfFile(handle);
}
