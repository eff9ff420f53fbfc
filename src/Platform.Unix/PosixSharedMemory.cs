using System.Runtime.InteropServices;
using F = NativeIpc.Platform.Unix.Interop.Files;
using M = NativeIpc.Platform.Unix.Interop.SharedMemory;

namespace NativeIpc.Platform.Unix;

/// <summary>POSIX shared memory objects (shm_open family) and their mappings.</summary>
public static unsafe class PosixSharedMemory
{
    /// <summary>Creates a new object (O_EXCL, mode 0600), sizes it and reserves its pages with posix_fallocate so
    /// a full /dev/shm fails here with ENOSPC instead of a SIGBUS on first touch. On failure nothing is left behind.</summary>
    public static SafeFd Create(string name, long size)
    {
        int fd = M.shm_open(name, F.O_RDWR | F.O_CREAT | F.O_EXCL | F.O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0) throw PosixException.FromLastError("shm_open", name);
        var h = new SafeFd(fd);
        try
        {
            // umask may have narrowed the mode; make it exactly owner read/write.
            if (M.fchmod(fd, 0x180) != 0) throw PosixException.FromLastError("fchmod", name);
            if (M.ftruncate(fd, size) != 0) throw PosixException.FromLastError("ftruncate", $"{name}, {size} bytes");
            int err = M.posix_fallocate(fd, 0, size);
            if (err != 0) throw new PosixException("posix_fallocate", err, $"{name}, {size} bytes");
            return h;
        }
        catch
        {
            h.Dispose();
            M.shm_unlink(name);
            throw;
        }
    }

    /// <summary>Opens an existing object read/write.</summary>
    public static SafeFd Open(string name)
    {
        int fd = M.shm_open(name, F.O_RDWR | F.O_CLOEXEC, 0);
        if (fd < 0) throw PosixException.FromLastError("shm_open", name);
        return new SafeFd(fd);
    }

    /// <summary>Removes the name; returns false if it did not exist.</summary>
    public static bool Unlink(string name)
    {
        if (M.shm_unlink(name) == 0) return true;
        int e = Marshal.GetLastPInvokeError();
        if (e == Errno.ENOENT) return false;
        throw new PosixException("shm_unlink", e, name);
    }

    /// <summary>The object's current size (fstat).</summary>
    public static long GetSize(SafeFd fd)
    {
        byte* st = stackalloc byte[M.StatSize];
        if (M.fstat(fd.Fd, st) != 0) throw PosixException.FromLastError("fstat");
        return *(long*)(st + M.StatSizeOffset);
    }

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> shared, read/write.</summary>
    public static byte* Map(SafeFd fd, long length)
    {
        nint p = M.mmap(null, (nuint)length, M.PROT_READ | M.PROT_WRITE, M.MAP_SHARED, fd.Fd, 0);
        if (p == M.MAP_FAILED) throw PosixException.FromLastError("mmap", $"{length} bytes");
        return (byte*)p;
    }

    /// <summary>Unmaps a region returned by <see cref="Map"/>.</summary>
    public static void Unmap(byte* address, long length)
    {
        if (M.munmap(address, (nuint)length) != 0) throw PosixException.FromLastError("munmap");
    }
}
