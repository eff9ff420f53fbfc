using System.Runtime.InteropServices;
using NativeIpc.Platform.Unix.Interop;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix;

/// <summary>Blocking reads and writes on a connected socket's descriptor with plain <c>recv</c>/<c>send</c> and
/// <c>poll</c>: one system call per message when data is there. (.NET turns a socket non-blocking for good after its
/// first async operation and then runs every synchronous call through its event thread, a thread hop per call.)</summary>
internal static unsafe class SocketIo
{
    /// <summary>Reads what is available (at least one byte), waiting up to <paramref name="timeoutMs"/>
    /// (-1: no limit). Returns the count, 0 at end of stream, -1 when the timeout passed.</summary>
    /// <exception cref="IOException">The socket failed (reset, closed).</exception>
    public static int Receive(nint fd, Span<byte> into, int timeoutMs)
    {
        fixed (byte* p = into)
        {
            while (true)
            {
                // With a timeout the read must not block (the descriptor may be in blocking mode): poll waits instead.
                nint n = Sockets.recv((int)fd, p, (nuint)into.Length, timeoutMs < 0 ? 0 : Sockets.MSG_DONTWAIT);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (errno != Errno.EAGAIN) throw new IOException("The socket failed (recv).", PosixErrors.ToException(errno, "recv"));
                if (!Wait(fd, LibC.POLLIN, timeoutMs)) return -1;
            }
        }
    }

    /// <summary>One non-blocking read: the count, 0 at end of stream, -1 if nothing is there now.</summary>
    /// <exception cref="IOException">The socket failed (reset, closed).</exception>
    public static int TryReceive(nint fd, Span<byte> into)
    {
        fixed (byte* p = into)
        {
            while (true)
            {
                nint n = Sockets.recv((int)fd, p, (nuint)into.Length, Sockets.MSG_DONTWAIT);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return -1;
                throw new IOException("The socket failed (recv).", PosixErrors.ToException(errno, "recv"));
            }
        }
    }

    /// <summary>One non-blocking write: how many bytes the socket took (0 when it is full).</summary>
    /// <exception cref="IOException">The peer is gone (EPIPE, reset) or the socket failed.</exception>
    public static int TrySend(nint fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                nint n = Sockets.send((int)fd, p, (nuint)data.Length, Sockets.MSG_NOSIGNAL | Sockets.MSG_DONTWAIT);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN) return 0;
                throw new IOException("The socket failed (send).", PosixErrors.ToException(errno, "send"));
            }
        }
    }

    /// <summary>True once the socket is readable (data or end of stream) within <paramref name="timeoutMs"/>.</summary>
    public static bool PollRead(nint fd, int timeoutMs) => Wait(fd, LibC.POLLIN, timeoutMs);

    /// <summary>Writes all of <paramref name="data"/>, waiting for room as long as it takes.</summary>
    /// <exception cref="IOException">The peer is gone (EPIPE, reset) or the socket failed.</exception>
    public static void SendAll(nint fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = Sockets.send((int)fd, p + done, (nuint)(data.Length - done), Sockets.MSG_NOSIGNAL);
                if (n >= 0) { done += (int)n; continue; }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR) continue;
                if (errno != Errno.EAGAIN) throw new IOException("The socket failed (send).", PosixErrors.ToException(errno, "send"));
                Wait(fd, LibC.POLLOUT, -1);
            }
        }
    }

    private static bool Wait(nint fd, short events, int timeoutMs)
    {
        var pfd = new pollfd { fd = (int)fd, events = events };
        while (true)
        {
            int r = Files.poll(&pfd, 1, timeoutMs);
            if (r > 0) return true;
            if (r == 0) return false;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR) throw new IOException("The socket failed (poll).", PosixErrors.ToException(errno, "poll"));
        }
    }
}
