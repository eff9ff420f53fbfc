using System.Text;
using NativeIpc.Platform.Unix.Interop;
using Tmds.Linux;
using System.Runtime.InteropServices;
using D = NativeIpc.Platform.Unix.Interop.Direct;
using L = NativeIpc.Platform.Unix.Interop.FileLocks;

namespace NativeIpc.Platform.Unix;

/// <summary>Whole-file write locks owned by an open file description (Linux OFD locks): the kernel drops the lock
/// when the last descriptor of that description is closed, which happens at the latest when every process holding
/// one has died. Any process that can open the file can test the lock, whatever its pid namespace.</summary>
internal static unsafe class OfdLock
{
    /// <summary>Creates <paramref name="path"/> (which must not exist; mode 0644, close-on-exec) and takes the lock on
    /// it. Null when the path exists already.</summary>
    public static SafeFd? CreateLocked(string path)
    {
        int fd = Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0b110_100_100);
        if (fd < 0)
        {
            int e = LibC.errno;
            if (e == LibC.EEXIST) return null;
            throw new PosixException("open", e, path);
        }
        var handle = new SafeFd(fd);
        var fl = WholeFile(L.F_WRLCK);
        if (LibC.fcntl(fd, L.F_OFD_SETLK, &fl) != 0)
        {
            int e = LibC.errno;
            handle.Dispose();
            throw new PosixException("fcntl(F_OFD_SETLK)", e, path);
        }
        return handle;
    }

    /// <summary>What <see cref="Probe"/> found.</summary>
    public enum State
    {
        /// <summary>No file at the path.</summary>
        Missing,
        /// <summary>The file exists and nobody holds its lock.</summary>
        Unlocked,
        /// <summary>Some open file description holds the lock.</summary>
        Locked,
        /// <summary>The file could not be opened or tested (e.g. another user's, without permission).</summary>
        Unknown,
    }

    /// <summary>Tests the lock on <paramref name="path"/> without taking it.</summary>
    public static State Probe(string path)
    {
        // Direct bindings (not Tmds.LibC): a child probes its own record before its target (Interop.Direct).
        int fd;
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0")) fd = D.open(p, D.O_RDONLY | D.O_CLOEXEC, 0);
        if (fd < 0) return Marshal.GetLastPInvokeError() == D.ENOENT ? State.Missing : State.Unknown;
        try
        {
            var fl = new FileLockRecord { l_type = L.F_WRLCK, l_whence = D.SEEK_SET };
            if (D.fcntl_lock(fd, L.F_OFD_GETLK, &fl) != 0) return State.Unknown;
            return fl.l_type == L.F_UNLCK ? State.Unlocked : State.Locked;
        }
        finally
        {
            D.close(fd);
        }
    }

    /// <summary>Makes <paramref name="path"/> a second name of <paramref name="existing"/>; false if it exists.</summary>
    public static bool Link(string existing, string path)
    {
        fixed (byte* a = Encoding.UTF8.GetBytes(existing + "\0"))
        fixed (byte* b = Encoding.UTF8.GetBytes(path + "\0"))
        {
            if (LibC.link(a, b) == 0) return true;
            int e = LibC.errno;
            if (e == LibC.EEXIST) return false;
            throw new PosixException("link", e, path);
        }
    }

    /// <summary>Removes <paramref name="path"/>; false if it was not there or may not be removed by this user.</summary>
    public static bool Unlink(string path)
    {
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0")) return D.unlink(p) == 0;
    }

    /// <summary>True if <paramref name="fd"/> is an open descriptor of the file at <paramref name="path"/> (same device
    /// and inode): an inherited descriptor number is checked before it is trusted.</summary>
    public static bool IsSameFile(SafeFd fd, string path)
    {
        byte* a = stackalloc byte[StatxLayout.Size], b = stackalloc byte[StatxLayout.Size];
        byte empty = 0;
        int r;
        if ((r = D.statx(fd.Fd, &empty, StatxLayout.AT_EMPTY_PATH, StatxLayout.STATX_INO, a)) != 0 && Marshal.GetLastPInvokeError() == D.ENOSYS)
            return IsSameFileByStat(fd, path);
        if (r != 0) return false;
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0"))
            if (D.statx(StatxLayout.AT_FDCWD, p, 0, StatxLayout.STATX_INO, b) != 0) return false;
        return *(ulong*)(a + StatxLayout.Ino) == *(ulong*)(b + StatxLayout.Ino)
            && *(uint*)(a + StatxLayout.DevMajor) == *(uint*)(b + StatxLayout.DevMajor)
            && *(uint*)(a + StatxLayout.DevMinor) == *(uint*)(b + StatxLayout.DevMinor);
    }

    /// <summary><see cref="IsSameFile"/> where statx is missing (a method of its own, so only then is Tmds.LibC loaded).</summary>
    private static bool IsSameFileByStat(SafeFd fd, string path)
    {
        stat a, b;
        if (LibC.fstat(fd.Fd, &a) != 0) return false;
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0"))
            if (LibC.stat(p, &b) != 0) return false;
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    }

    /// <summary>Sets or clears close-on-exec on <paramref name="fd"/> (a descriptor handed to a child must survive exec).</summary>
    public static void SetCloseOnExec(SafeFd fd, bool closeOnExec)
    {
        if (D.fcntl(fd.Fd, L.F_SETFD, closeOnExec ? L.FD_CLOEXEC : 0) != 0)
            throw new PosixException("fcntl(F_SETFD)", Marshal.GetLastPInvokeError());
    }

    private static int Open(string path, int flags, int mode)
    {
        fixed (byte* p = Encoding.UTF8.GetBytes(path + "\0")) return LibC.open(p, flags, (mode_t)mode);
    }

    private static flock WholeFile(short type) => new() { l_type = type, l_whence = (short)LibC.SEEK_SET, l_start = 0, l_len = 0 };
}
