using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>The libc calls a NativeIpc child makes before its target (open, close, read, write, fcntl, unlink, statx),
/// bound here rather than through Tmds.LibC: these stubs are compiled into this assembly's ReadyToRun image
/// (<see cref="System.Runtime.CompilerServices.DisableRuntimeMarshallingAttribute"/>), while a Tmds.LibC call loads
/// Tmds.LibC and netstandard.dll and JIT-compiles its helpers and a marshalling stub per signature (~10 ms of a start).
/// Constants are the Linux generic ABI's, the same on x64 and arm64.</summary>
internal static unsafe partial class Direct
{
    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;
    public const int ENOENT = 2;
    public const int ENOSYS = 38;
    public const short SEEK_SET = 0;

    [LibraryImport(Libc.Name, EntryPoint = "open", SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport(Libc.Name, EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc.Name, EntryPoint = "read", SetLastError = true)]
    public static partial nint read(int fd, void* buf, nuint count);

    [LibraryImport(Libc.Name, EntryPoint = "write", SetLastError = true)]
    public static partial nint write(int fd, void* buf, nuint count);

    [LibraryImport(Libc.Name, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    /// <summary>fcntl with a lock description (F_OFD_GETLK, F_OFD_SETLK).</summary>
    [LibraryImport(Libc.Name, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int fcntl_lock(int fd, int cmd, FileLockRecord* lock_);

    [LibraryImport(Libc.Name, EntryPoint = "unlink", SetLastError = true)]
    public static partial int unlink(byte* path);

    [LibraryImport(Libc.Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    /// <summary>statx(2) (Linux 4.11+) as a raw syscall: glibc has had no plain <c>stat</c> symbol before 2.33.
    /// -1 with errno ENOSYS where the architecture's number is unknown or the kernel lacks the call.</summary>
    public static int statx(int dirfd, byte* path, int flags, uint mask, byte* buffer)
    {
        long number = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 332,
            Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 291,
            _ => -1,
        };
        if (number < 0) { Marshal.SetLastPInvokeError(ENOSYS); return -1; }
        return (int)syscall(number, dirfd, (long)path, flags, mask, (long)buffer);
    }
}
