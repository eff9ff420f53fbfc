using System.Runtime.InteropServices;
using Tmds.Linux;
using F = NativeIpc.Platform.Unix.Interop.Files;

namespace NativeIpc.Platform.Unix;

/// <summary>pipe2, read, write and poll on descriptors, with EINTR retried and errors thrown with the OS text.</summary>
internal static unsafe class FileDescriptors
{
    /// <summary>Creates a pipe; both ends close-on-exec so no child inherits them unless asked.</summary>
    public static (SafeFd Read, SafeFd Write) CreatePipe()
    {
        int* fds = stackalloc int[2];
        if (F.pipe2(fds, LibC.O_CLOEXEC) != 0) throw PosixErrors.FromLastError("pipe2");
        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }

    /// <summary>Writes all of <paramref name="data"/>; throws on error (EPIPE when the reader is gone).</summary>
    public static void WriteAll(SafeFd fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = F.write(fd, p + done, (nuint)(data.Length - done));
                if (n < 0)
                {
                    int e = Marshal.GetLastPInvokeError();
                    if (e == Errno.EINTR) continue;
                    throw PosixErrors.ToException(e, "write");
                }
                done += (int)n;
            }
        }
    }

    /// <summary>Reads once into <paramref name="buffer"/>; returns 0 at end of file, -1 when non-blocking and empty.</summary>
    public static int Read(SafeFd fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = F.read(fd, p, (nuint)buffer.Length);
                if (n >= 0) return (int)n;
                int e = Marshal.GetLastPInvokeError();
                if (e == Errno.EINTR) continue;
                if (e == Errno.EAGAIN) return -1;
                throw PosixErrors.ToException(e, "read");
            }
        }
    }

    /// <summary>Reads until end of file.</summary>
    public static byte[] ReadToEnd(SafeFd fd)
    {
        var ms = new MemoryStream();
        Span<byte> buf = stackalloc byte[16384];
        int n;
        while ((n = Read(fd, buf)) > 0) ms.Write(buf[..n]);
        return ms.ToArray();
    }

    /// <summary>Sets or clears O_NONBLOCK.</summary>
    public static void SetNonBlocking(SafeFd fd, bool nonBlocking)
    {
        int flags = F.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0) throw PosixErrors.FromLastError("fcntl(F_GETFL)");
        flags = nonBlocking ? flags | LibC.O_NONBLOCK : flags & ~LibC.O_NONBLOCK;
        if (F.fcntl(fd, LibC.F_SETFL, flags) < 0) throw PosixErrors.FromLastError("fcntl(F_SETFL)");
    }

    /// <summary>poll(2) for readability (or hang-up) of several descriptors. Returns how many are ready;
    /// <paramref name="ready"/>[i] tells which. A negative <paramref name="timeoutMs"/> waits forever.</summary>
    public static int PollReadable(ReadOnlySpan<int> fds, Span<bool> ready, int timeoutMs)
    {
        var pfds = fds.Length <= 64 ? stackalloc pollfd[fds.Length] : new pollfd[fds.Length];
        for (int i = 0; i < fds.Length; i++) pfds[i] = new pollfd { fd = fds[i], events = LibC.POLLIN };
        fixed (pollfd* p = pfds)
        {
            while (true)
            {
                int r = F.poll(p, (nuint)fds.Length, timeoutMs);
                if (r >= 0)
                {
                    for (int i = 0; i < fds.Length; i++) ready[i] = p[i].revents != 0;
                    return r;
                }
                int e = Marshal.GetLastPInvokeError();
                if (e != Errno.EINTR) throw PosixErrors.ToException(e, "poll");
            }
        }
    }
}
