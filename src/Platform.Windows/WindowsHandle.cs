using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>Handle flags and duplication: SetHandleInformation, GetHandleInformation, DuplicateHandle.</summary>
internal static class WindowsHandle
{
    /// <summary>Sets or clears HANDLE_FLAG_INHERIT. <see cref="WindowsProcess.Spawn"/> requires it on every
    /// handle it passes, and passes only the handles it is given.</summary>
    public static void SetInheritable(SafeHandle handle, bool inheritable)
    {
        if (!Kernel32.SetHandleInformation(handle, Kernel32.HANDLE_FLAG_INHERIT, inheritable ? Kernel32.HANDLE_FLAG_INHERIT : 0))
            throw WindowsIoException.FromLastError("SetHandleInformation");
    }

    /// <summary>Whether HANDLE_FLAG_INHERIT is set on <paramref name="handle"/>.</summary>
    public static bool IsInheritable(SafeHandle handle)
    {
        if (!Kernel32.GetHandleInformation(handle, out uint flags))
            throw WindowsIoException.FromLastError("GetHandleInformation");
        return (flags & Kernel32.HANDLE_FLAG_INHERIT) != 0;
    }

    /// <summary>Duplicates <paramref name="handle"/> within this process, with the same access.</summary>
    public static SafeWin32Handle Duplicate(SafeHandle handle, bool inheritable)
        => new(DuplicateCore(null, handle, 0, null, inheritable), ownsHandle: true);

    /// <summary>Duplicates <paramref name="handle"/> into <paramref name="targetProcess"/> (which needs
    /// PROCESS_DUP_HANDLE access, as a handle from CreateProcessW has) and returns its value there.
    /// The copy belongs to the target; this process must not close it.</summary>
    public static nint DuplicateInto(SafeHandle handle, SafeProcessHandle targetProcess, bool inheritable)
        => DuplicateCore(null, handle, 0, targetProcess, inheritable);

    /// <summary>Duplicates the handle value <paramref name="sourceHandle"/> of <paramref name="sourceProcess"/>
    /// into this process.</summary>
    public static SafeWin32Handle DuplicateFrom(SafeProcessHandle sourceProcess, nint sourceHandle, bool inheritable)
        => new(DuplicateCore(sourceProcess, null, sourceHandle, null, inheritable), ownsHandle: true);

    // A null process means this one; AddRef keeps every SafeHandle open for the duration of the call.
    private static nint DuplicateCore(SafeHandle? sourceProcess, SafeHandle? source, nint sourceValue,
        SafeHandle? targetProcess, bool inheritable)
    {
        bool srcProcRef = false, srcRef = false, dstProcRef = false;
        try
        {
            nint srcProc = Kernel32.CurrentProcess, dstProc = Kernel32.CurrentProcess;
            if (sourceProcess is not null) { sourceProcess.DangerousAddRef(ref srcProcRef); srcProc = sourceProcess.DangerousGetHandle(); }
            if (source is not null) { source.DangerousAddRef(ref srcRef); sourceValue = source.DangerousGetHandle(); }
            if (targetProcess is not null) { targetProcess.DangerousAddRef(ref dstProcRef); dstProc = targetProcess.DangerousGetHandle(); }
            if (!Kernel32.DuplicateHandle(srcProc, sourceValue, dstProc, out nint result, 0, inheritable, Kernel32.DUPLICATE_SAME_ACCESS))
                throw WindowsIoException.FromLastError("DuplicateHandle");
            return result;
        }
        finally
        {
            if (srcProcRef) sourceProcess!.DangerousRelease();
            if (srcRef) source!.DangerousRelease();
            if (dstProcRef) targetProcess!.DangerousRelease();
        }
    }
}
