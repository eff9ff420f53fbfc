using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>POSIX shared memory: shm_open, shm_unlink, ftruncate, posix_fallocate, fstat, mmap, munmap.</summary>
internal static unsafe partial class SharedMemory
{
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;
    public static readonly nint MAP_FAILED = -1;

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int shm_open(string name, int oflag, uint mode);

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int shm_unlink(string name);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    /// <summary>Returns the error number directly (does not set errno).</summary>
    [LibraryImport(Libc.Name)]
    public static partial int posix_fallocate(int fd, long offset, long len);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int munmap(void* addr, nuint length);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    // struct stat on x86-64/arm64 glibc: st_size at offset 48; 144 (x64) / 128 (arm64) bytes.
    public const int StatSize = 256;
    public const int StatSizeOffset = 48;

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int fstat(int fd, void* statbuf);
}
