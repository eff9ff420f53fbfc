using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using S = NativeIpc.Platform.Unix.Interop.Sockets;

namespace NativeIpc.Platform.Unix;

/// <summary>Passes a file descriptor to another process (SCM_RIGHTS) through a one-shot Unix-domain socket in the
/// abstract namespace: the sender listens under an unguessable name and hands the descriptor to the first peer of the
/// same user that connects (SO_PEERCRED); the receiver connects by that name and takes it. No file is created, and the
/// socket disappears with its last descriptor.</summary>
internal static unsafe class FdPassing
{
    /// <summary>A close-on-exec duplicate of <paramref name="fd"/> (the sender's own reference while it waits for the receiver).</summary>
    public static SafeFd Duplicate(int fd)
    {
        int d = S.fcntl(fd, S.F_DUPFD_CLOEXEC, 0);
        if (d < 0) throw PosixErrors.FromLastError("fcntl(F_DUPFD_CLOEXEC)", $"descriptor {fd}");
        return new SafeFd(d);
    }

    /// <summary>Creates the listening socket; <paramref name="name"/> is what the receiver connects to.</summary>
    public static SafeFd Listen(out string name)
    {
        name = "nativeipc-fd-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var fd = NewSocket();
        try
        {
            var addr = Address(name, out uint len);
            using var l = fd.Use();
            if (S.bind(l.Fd, &addr, len) != 0) throw PosixErrors.FromLastError("bind", "a descriptor-passing socket");
            if (S.listen(l.Fd, 4) != 0) throw PosixErrors.FromLastError("listen", "a descriptor-passing socket");
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a peer on <paramref name="listener"/> and sends it
    /// <paramref name="fd"/>; false when nobody came in time. A peer of another user is turned away.</summary>
    public static bool ServeOnce(SafeFd listener, SafeFd fd, int timeoutMs)
    {
        Span<bool> ready = stackalloc bool[1];
        if (FileDescriptors.PollReadable([listener.Fd], ready, timeoutMs) == 0) return false;
        int c;
        using (var l = listener.Use()) c = S.accept4(l.Fd, null, null, S.SOCK_CLOEXEC);
        if (c < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e == Errno.EINTR || e == Errno.EAGAIN || e == Tmds.Linux.LibC.ECONNABORTED) return false;
            throw PosixErrors.ToException(e, "accept4", "a descriptor-passing socket");
        }
        using var conn = new SafeFd(c);
        S.ucred cred;
        uint credLen = (uint)sizeof(S.ucred);
        if (S.getsockopt(c, S.SOL_SOCKET, S.SO_PEERCRED, &cred, &credLen) != 0) throw PosixErrors.FromLastError("getsockopt(SO_PEERCRED)");
        if (cred.uid != S.getuid()) return false; // only a process of our own user may take it, as with the pipe's segment

        byte one = 1;
        var iov = new S.iovec { iov_base = &one, iov_len = 1 };
        byte* control = stackalloc byte[S.CmsgSpaceOneFd];
        new Span<byte>(control, S.CmsgSpaceOneFd).Clear();
        var cmsg = (S.cmsghdr*)control;
        cmsg->cmsg_len = (nuint)S.CmsgLenOneFd;
        cmsg->cmsg_level = S.SOL_SOCKET;
        cmsg->cmsg_type = S.SCM_RIGHTS;
        using var lease = fd.Use();
        *(int*)(control + sizeof(S.cmsghdr)) = lease.Fd;
        var msg = new S.msghdr { msg_iov = &iov, msg_iovlen = 1, msg_control = control, msg_controllen = (nuint)S.CmsgSpaceOneFd };
        while (S.sendmsg(c, &msg, S.MSG_NOSIGNAL) < 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e == Errno.EINTR) continue;
            if (e == Tmds.Linux.LibC.EPIPE || e == Tmds.Linux.LibC.ECONNRESET) return false; // the peer gave up: serve the next one
            throw PosixErrors.ToException(e, "sendmsg(SCM_RIGHTS)");
        }
        return true;
    }

    /// <summary>Connects to the sender listening as <paramref name="name"/> and receives its descriptor, waiting up to
    /// <paramref name="timeoutMs"/> (negative: no limit).</summary>
    /// <exception cref="IOException">Nobody listens under that name any more (the sender closed its end or exited).</exception>
    /// <exception cref="InvalidDataException">The sender sent no descriptor.</exception>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    public static SafeFd Receive(string name, int timeoutMs)
    {
        using var fd = NewSocket();
        var addr = Address(name, out uint len);
        using (var l = fd.Use())
        {
            while (S.connect(l.Fd, &addr, len) != 0)
            {
                int e = Marshal.GetLastPInvokeError();
                if (e == Errno.EINTR) continue;
                if (e == Tmds.Linux.LibC.ECONNREFUSED || e == Errno.ENOENT)
                    throw new IOException("The process that sent the handle no longer offers it (it closed its end of the pipe or exited).", PosixErrors.ToException(e, "connect"));
                throw PosixErrors.ToException(e, "connect", "a descriptor-passing socket");
            }
        }
        Span<bool> ready = stackalloc bool[1];
        if (FileDescriptors.PollReadable([fd.Fd], ready, timeoutMs) == 0) throw new TimeoutException("No handle arrived in time.");

        byte data;
        var iov = new S.iovec { iov_base = &data, iov_len = 1 };
        byte* control = stackalloc byte[S.CmsgSpaceOneFd];
        var msg = new S.msghdr { msg_iov = &iov, msg_iovlen = 1, msg_control = control, msg_controllen = (nuint)S.CmsgSpaceOneFd };
        nint n;
        using (var l = fd.Use())
        {
            while ((n = S.recvmsg(l.Fd, &msg, S.MSG_CMSG_CLOEXEC)) < 0)
            {
                int e = Marshal.GetLastPInvokeError();
                if (e != Errno.EINTR) throw PosixErrors.ToException(e, "recvmsg");
            }
        }
        var cmsg = (S.cmsghdr*)control;
        if (n == 0 || msg.msg_controllen < (nuint)S.CmsgLenOneFd || (msg.msg_flags & S.MSG_CTRUNC) != 0
            || cmsg->cmsg_level != S.SOL_SOCKET || cmsg->cmsg_type != S.SCM_RIGHTS || cmsg->cmsg_len != (nuint)S.CmsgLenOneFd)
            throw new InvalidDataException("The sender sent no file descriptor.");
        return new SafeFd(*(int*)(control + sizeof(S.cmsghdr)));
    }

    private static SafeFd NewSocket()
    {
        int fd = S.socket(S.AF_UNIX, S.SOCK_STREAM | S.SOCK_CLOEXEC, 0);
        if (fd < 0) throw PosixErrors.FromLastError("socket(AF_UNIX)");
        return new SafeFd(fd);
    }

    /// <summary>An abstract-namespace address: a NUL, then the name (no file is created).</summary>
    private static S.sockaddr_un Address(string name, out uint len)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        if (bytes.Length + 1 > S.SunPathLength) throw new ArgumentException("The socket name is too long.", nameof(name));
        var addr = new S.sockaddr_un { sun_family = S.AF_UNIX };
        addr.sun_path[0] = 0;
        for (int i = 0; i < bytes.Length; i++) addr.sun_path[i + 1] = bytes[i];
        len = (uint)(sizeof(ushort) + 1 + bytes.Length);
        return addr;
    }
}
