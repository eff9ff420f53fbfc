using System.Runtime.InteropServices;
using Tmds.Linux;
using M = NativeIpc.Platform.Unix.Interop.SharedMemory;

namespace NativeIpc.Platform.Unix;

/// <summary>POSIX shared memory objects (shm_open family) and their mappings.</summary>
internal static unsafe class PosixSharedMemory
{
    /// <summary>Creates a new object (O_EXCL, mode 0600), sizes it and reserves its pages (posix_fallocate, or for a large
    /// object a populated mapping that asks for huge pages) so
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
            if (size < HugePageSize || !ReserveHuge(h, size, name))
            {
                int err;
                while ((err = M.posix_fallocate(h, 0, size)) == Errno.EINTR) { } // a signal cut it short: start again
                if (err != 0) throw PosixErrors.ToException(err, "posix_fallocate", Subject(name, size));
            }
            return h;
        }
        catch
        {
            h.Dispose();
            M.shm_unlink(name);
            throw;
        }
    }

    /// <summary>Reserves the pages of a large new object through a temporary mapping that asks for huge pages first:
    /// pages are huge or not when they are allocated, and posix_fallocate has no mapping to ask through, so under
    /// <c>huge=advise</c> it would always allocate small ones. False where the kernel cannot populate (before Linux 5.14):
    /// the caller reserves with posix_fallocate instead.</summary>
    private static bool ReserveHuge(SafeFd fd, long size, string name)
    {
        // posix_fallocate refuses a size beyond the free space before it allocates anything; populating would allocate
        // until the filesystem is full (a tmpfs may be sized to all of RAM: the OOM killer would come first). So the
        // same check first; a race with another writer is then caught below as a failed populate.
        statvfs fs;
        if (M.fstatvfs(fd, &fs) == 0 && (ulong)fs.f_bavail * (ulong)fs.f_frsize < (ulong)size)
            throw PosixErrors.ToException(Errno.ENOSPC, "posix_fallocate", Subject(name, size));
        byte* p = Map(fd, size);
        try
        {
            if (Populate(p, size)) return true;
            int e = Marshal.GetLastPInvokeError();
            // A page tmpfs cannot supply is a fault (EFAULT) or ENOMEM here, where a touch would have been a SIGBUS.
            if (e == Errno.EFAULT || e == Errno.ENOMEM) throw PosixErrors.ToException(Errno.ENOSPC, "madvise(MADV_POPULATE_WRITE)", Subject(name, size));
            return false;
        }
        finally { Unmap(p, size); }
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
    /// accesses take no page fault. A mapping of at least <see cref="HugePageSize"/> first asks for transparent huge
    /// pages (MADV_HUGEPAGE): the kernel grants them only where shared memory may use them (<c>/dev/shm</c> mounted with
    /// <c>huge=advise</c>, <c>within_size</c> or <c>always</c>, or <c>shmem_enabled</c> set to <c>force</c>); elsewhere
    /// the advice is a no-op. With them, a process's first touch of a 64 MiB mapping sets 32 page-table entries instead
    /// of 16,384 (on a virtual machine that was ~100 ms against ~2 ms). False where the kernel cannot populate (before
    /// Linux 5.14: EINVAL) or memory ran short; the mapping is then faulted in on first touch, as before.</summary>
    public static bool Populate(byte* address, long length)
    {
        if (length <= 0) return true;
        if (length >= HugePageSize) _ = M.madvise(address, (nuint)length, LibC.MADV_HUGEPAGE); // advice only: refused is fine
        return M.madvise(address, (nuint)length, M.MADV_POPULATE_WRITE) == 0;
    }

    /// <summary>The size of a transparent huge page on x86-64 and arm64 with 4 KiB base pages (a PMD mapping).</summary>
    public const long HugePageSize = 2 << 20;

    /// <summary>Unmaps a region returned by <see cref="Map"/>.</summary>
    public static void Unmap(byte* address, long length)
    {
        if (M.munmap(address, (nuint)length) != 0) throw PosixErrors.FromLastError("munmap");
    }

    private static string Subject(string name) => $"shared memory object '{name}'";

    private static string Subject(string name, long size) => $"shared memory object '{name}' of {size} bytes";
}
