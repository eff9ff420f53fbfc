using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NativeIpc.Platform.Windows.Interop;

internal static partial class Kernel32
{
    internal const uint CREATE_SUSPENDED = 0x00000004;
    internal const uint CREATE_UNICODE_ENVIRONMENT = 0x00000400;
    internal const uint EXTENDED_STARTUPINFO_PRESENT = 0x00080000;
    internal const uint STARTF_USESTDHANDLES = 0x00000100;
    internal const nint PROC_THREAD_ATTRIBUTE_HANDLE_LIST = 0x00020002;
    internal const uint STILL_ACTIVE = 259;
    internal const uint PROCESS_TERMINATE = 0x0001;
    internal const uint PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
    internal const uint SYNCHRONIZE = 0x00100000;

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct STARTUPINFOW
    {
        public uint cb;
        public char* lpReserved;
        public char* lpDesktop;
        public char* lpTitle;
        public uint dwX, dwY, dwXSize, dwYSize, dwXCountChars, dwYCountChars, dwFillAttribute;
        public uint dwFlags;
        public ushort wShowWindow;
        public ushort cbReserved2;
        public byte* lpReserved2;
        public nint hStdInput;
        public nint hStdOutput;
        public nint hStdError;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct STARTUPINFOEXW
    {
        public STARTUPINFOW StartupInfo;
        public nint lpAttributeList;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PROCESS_INFORMATION
    {
        public nint hProcess;
        public nint hThread;
        public uint dwProcessId;
        public uint dwThreadId;
    }

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool CreateProcessW(string lpApplicationName, char* lpCommandLine,
        SECURITY_ATTRIBUTES* lpProcessAttributes, SECURITY_ATTRIBUTES* lpThreadAttributes,
        [MarshalAs(UnmanagedType.Bool)] bool bInheritHandles, uint dwCreationFlags, char* lpEnvironment,
        string? lpCurrentDirectory, STARTUPINFOEXW* lpStartupInfo, PROCESS_INFORMATION* lpProcessInformation);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool InitializeProcThreadAttributeList(nint lpAttributeList, int dwAttributeCount,
        uint dwFlags, ref nuint lpSize);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool UpdateProcThreadAttribute(nint lpAttributeList, uint dwFlags, nint Attribute,
        void* lpValue, nuint cbSize, void* lpPreviousValue, nuint* lpReturnSize);

    [LibraryImport(Lib)]
    internal static partial void DeleteProcThreadAttributeList(nint lpAttributeList);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool TerminateProcess(SafeProcessHandle hProcess, uint uExitCode);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool GetExitCodeProcess(SafeProcessHandle hProcess, out uint lpExitCode);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial uint GetProcessId(SafeProcessHandle Process);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial SafeProcessHandle OpenProcess(uint dwDesiredAccess,
        [MarshalAs(UnmanagedType.Bool)] bool bInheritHandle, uint dwProcessId);

    [LibraryImport(Lib)]
    internal static partial uint GetCurrentProcessId();

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial uint ResumeThread(SafeHandle hThread);
}
