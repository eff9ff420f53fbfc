using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Windows.Interop;

internal static partial class Kernel32
{
    internal const string Lib = "kernel32.dll";

    internal const uint HANDLE_FLAG_INHERIT = 0x1;
    internal const uint DUPLICATE_SAME_ACCESS = 0x2;
    internal const int STD_INPUT_HANDLE = -10;
    internal const int STD_OUTPUT_HANDLE = -11;
    internal const int STD_ERROR_HANDLE = -12;
    internal const int ERROR_ALREADY_EXISTS = 183;

    /// <summary>What GetCurrentProcess() documents it returns; a pseudo handle that needs no closing.</summary>
    internal const nint CurrentProcess = -1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SECURITY_ATTRIBUTES
    {
        public uint nLength;
        public nint lpSecurityDescriptor;
        public int bInheritHandle;
    }

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool CloseHandle(nint hObject);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool SetHandleInformation(SafeHandle hObject, uint dwMask, uint dwFlags);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetHandleInformation(SafeHandle hObject, out uint lpdwFlags);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool DuplicateHandle(nint hSourceProcessHandle, nint hSourceHandle, nint hTargetProcessHandle,
        out nint lpTargetHandle, uint dwDesiredAccess, [MarshalAs(UnmanagedType.Bool)] bool bInheritHandle, uint dwOptions);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint GetStdHandle(int nStdHandle);
}
