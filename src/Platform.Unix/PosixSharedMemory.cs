using System.Runtime.InteropServices;
using Tmds.Linux;
using M = NativeIpc.Platform.Unix.Interop.SharedMemory;

namespace NativeIpc.Platform.Unix;

/// <summary>POSIX shared memory objects (shm_open family) and their mappings.</summary>
internal static unsafe class PosixSharedMemory
{
    /// <summary>Creates a new object (O_EXCL, mode 0600), sizes it and reserves its pages with posix_fallocate so
    /// a full /dev/shm fails here with ENOSPC instead of a SIGBUS on first touch. On failure nothing is left behind.</summary>
    public static SafeFd Create(string name, long size)
    {
        var ownerOnly = LibC.S_IRUSR | LibC.S_IWUSR;
        int fd = M.shm_open(name, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, (ushort)ownerOnly);
        if (fd < 0) throw PosixErrors.FromLastError("shm_open", Subject(name));
        var h = new SafeFd(fd);
        try
        {
            // umask may have narrowed the mode; make it exactly owner read/write.
            if (M.fchmod(h, ownerOnly) != 0) throw PosixErrors.FromLastError("fchmod", Subject(name));
            if (M.ftruncate(h, size) != 0) throw PosixErrors.FromLastError("ftruncate", Subject(name, size));
            int err;
            while ((err = M.posix_fallocate(h, 0, size)) == Errno.EINTR) { } // a signal cut it short: start again
            if (err != 0) throw PosixErrors.ToException(err, "posix_fallocate", Subject(name, size));
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
        int fd = M.shm_open(name, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0) throw PosixErrors.FromLastError("shm_open", Subject(name));
        return new SafeFd(fd);
    }

    /// <summary>Removes the name; returns false if it did not exist.</summary>
    public static bool Unlink(string name)
    {
        if (M.shm_unlink(name) == 0) return true;
        int e = Marshal.GetLastPInvokeError();
        if (e == Errno.ENOENT) return false;
        throw PosixErrors.ToException(e, "shm_unlink", Subject(name));
    }

    /// <summary>The object's current size (fstat).</summary>
    public static long GetSize(SafeFd fd)
    {
        stat st;
        if (M.fstat(fd, &st) != 0) throw PosixErrors.FromLastError("fstat");
        return st.st_size;
    }

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> shared, read/write.</summary>
    public static byte* Map(SafeFd fd, long length)
    {
        void* p = M.mmap((nuint)length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd);
        if (p == LibC.MAP_FAILED) throw PosixErrors.FromLastError("mmap", $"a mapping of {length} bytes");
        return (byte*)p;
    }

    /// <summary>Faults every page of a shared read/write mapping in now, writable (madvise MADV_POPULATE_WRITE), so later
    /// accesses take no page fault. False where the kernel cannot (before Linux 5.14: EINVAL) or memory ran short; the
    /// mapping is then faulted in on first touch, as before.</summary>
    public static bool Populate(byte* address, long length)
        => length <= 0 || M.madvise(address, (nuint)length, M.MADV_POPULATE_WRITE) == 0;

    /// <summary>Unmaps a region returned by <see cref="Map"/>.</summary>
    public static void Unmap(byte* address, long length)
    {
        if (M.munmap(address, (nuint)length) != 0) throw PosixErrors.FromLastError("munmap");
    }

    private static string Subject(string name) => $"shared memory object '{name}'";

    private static string Subject(string name, long size) => $"shared memory object '{name}' of {size} bytes";
}
