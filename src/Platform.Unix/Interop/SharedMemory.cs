using System.Runtime.InteropServices;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>POSIX shared memory: shm_open, shm_unlink (hand-written) and ftruncate, posix_fallocate, fchmod, fstat, fstatvfs,
/// mmap, munmap (Tmds.LibC, taking the owned descriptor as a <see cref="SafeFd"/>).</summary>
internal static unsafe partial class SharedMemory
{
    // Hand-written: Tmds.LibC has no shm_open/shm_unlink.
    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int shm_open(string name, int oflag, uint mode);

    // Hand-written: Tmds.LibC has no shm_open/shm_unlink.
    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int shm_unlink(string name);

    public static int ftruncate(SafeFd fd, long length)
    {
        using var l = fd.Use();
        return LibC.ftruncate(l.Fd, length);
    }

    /// <summary>Returns the error number directly (does not set errno).</summary>
    public static int posix_fallocate(SafeFd fd, long offset, long len)
    {
        using var l = fd.Use();
        return LibC.posix_fallocate(l.Fd, offset, len);
    }

    public static int fchmod(SafeFd fd, mode_t mode)
    {
        using var l = fd.Use();
        return LibC.fchmod(l.Fd, mode);
    }

    public static int fstat(SafeFd fd, stat* buf)
    {
        using var l = fd.Use();
        return LibC.fstat(l.Fd, buf);
    }

    public static int fstatvfs(SafeFd fd, statvfs* buf)
    {
        using var l = fd.Use();
        return LibC.fstatvfs(l.Fd, buf);
    }

    public static void* mmap(nuint length, int prot, int flags, SafeFd fd)
    {
        using var l = fd.Use();
        return LibC.mmap(null, (size_t)(ulong)length, prot, flags, l.Fd, 0);
    }

    // Hand-written: Tmds.LibC's advice constants stop before MADV_POPULATE_WRITE (Linux 5.14).
    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int madvise(void* addr, nuint length, int advice);

    public const int MADV_POPULATE_WRITE = 23;

    public static int munmap(void* addr, nuint length) => LibC.munmap(addr, (size_t)(ulong)length);
}
