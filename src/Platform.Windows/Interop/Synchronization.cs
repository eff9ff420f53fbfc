using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NativeIpc.Platform.Windows.Interop;

internal static partial class Kernel32
{
    internal const uint WAIT_OBJECT_0 = 0x00000000;
    internal const uint WAIT_ABANDONED_0 = 0x00000080;
    internal const uint WAIT_TIMEOUT = 0x00000102;
    internal const uint WAIT_FAILED = 0xFFFFFFFF;
    internal const int MAXIMUM_WAIT_OBJECTS = 64;
    internal const uint MUTEX_MODIFY_STATE = 0x0001;
    internal const uint SEMAPHORE_MODIFY_STATE = 0x0002;
    internal const uint EVENT_MODIFY_STATE = 0x0002;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static unsafe partial SafeWaitHandle CreateMutexW(SECURITY_ATTRIBUTES* lpMutexAttributes,
        [MarshalAs(UnmanagedType.Bool)] bool bInitialOwner, string? lpName);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial SafeWaitHandle OpenMutexW(uint dwDesiredAccess,
        [MarshalAs(UnmanagedType.Bool)] bool bInheritHandle, string lpName);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool ReleaseMutex(SafeWaitHandle hMutex);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static unsafe partial SafeWaitHandle CreateSemaphoreW(SECURITY_ATTRIBUTES* lpSemaphoreAttributes,
        int lInitialCount, int lMaximumCount, string? lpName);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial SafeWaitHandle OpenSemaphoreW(uint dwDesiredAccess,
        [MarshalAs(UnmanagedType.Bool)] bool bInheritHandle, string lpName);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool ReleaseSemaphore(SafeWaitHandle hSemaphore, int lReleaseCount, out int lpPreviousCount);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static unsafe partial SafeWaitHandle CreateEventW(SECURITY_ATTRIBUTES* lpEventAttributes,
        [MarshalAs(UnmanagedType.Bool)] bool bManualReset, [MarshalAs(UnmanagedType.Bool)] bool bInitialState, string? lpName);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial SafeWaitHandle OpenEventW(uint dwDesiredAccess,
        [MarshalAs(UnmanagedType.Bool)] bool bInheritHandle, string lpName);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool SetEvent(SafeWaitHandle hEvent);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool ResetEvent(SafeWaitHandle hEvent);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial uint WaitForSingleObject(SafeHandle hHandle, uint dwMilliseconds);

    [LibraryImport(Lib, SetLastError = true)]
    internal static unsafe partial uint WaitForMultipleObjects(uint nCount, nint* lpHandles,
        [MarshalAs(UnmanagedType.Bool)] bool bWaitAll, uint dwMilliseconds);
}
