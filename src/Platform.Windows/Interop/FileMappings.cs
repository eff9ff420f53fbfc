using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Windows.Interop;

internal static partial class Kernel32
{
    internal const nint INVALID_HANDLE_VALUE = -1;
    internal const uint PAGE_READWRITE = 0x04;
    internal const uint SEC_COMMIT = 0x08000000;
    internal const uint FILE_MAP_WRITE = 0x0002;
    internal const uint FILE_MAP_READ = 0x0004;

    // PartitionId (x64 only) sits in the padding before RegionSize, so leaving it out keeps one layout for all targets.
    [StructLayout(LayoutKind.Sequential)]
    internal struct MEMORY_BASIC_INFORMATION
    {
        public nint BaseAddress;
        public nint AllocationBase;
        public uint AllocationProtect;
        public nuint RegionSize;
        public uint State;
        public uint Protect;
        public uint Type;
    }

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static unsafe partial SafeWin32Handle CreateFileMappingW(nint hFile, SECURITY_ATTRIBUTES* lpFileMappingAttributes,
        uint flProtect, uint dwMaximumSizeHigh, uint dwMaximumSizeLow, string? lpName);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    internal static partial SafeWin32Handle OpenFileMappingW(uint dwDesiredAccess,
        [MarshalAs(UnmanagedType.Bool)] bool bInheritHandle, string lpName);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial SafeMappedViewHandle MapViewOfFile(SafeWin32Handle hFileMappingObject, uint dwDesiredAccess,
        uint dwFileOffsetHigh, uint dwFileOffsetLow, nuint dwNumberOfBytesToMap);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool UnmapViewOfFile(nint lpBaseAddress);

    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool FlushViewOfFile(nint lpBaseAddress, nuint dwNumberOfBytesToFlush);

    [LibraryImport(Lib, SetLastError = true)]
    internal static unsafe partial nuint VirtualQuery(nint lpAddress, MEMORY_BASIC_INFORMATION* lpBuffer, nuint dwLength);
}
