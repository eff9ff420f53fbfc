using System.Runtime.InteropServices;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix;

/// <summary>One epoll instance: arm a descriptor once for readability or writability (one-shot), wait for whichever
/// armed descriptors became ready. The caller runs the wait loop on one thread; this wraps the system calls.</summary>
internal sealed unsafe class SocketReadinessPoller : IDisposable
{
    private readonly int _epfd;

    /// <summary>Creates the epoll instance.</summary>
    public SocketReadinessPoller()
    {
        _epfd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (_epfd < 0) throw PosixErrors.FromLastError("epoll_create1");
    }

    /// <summary>Arms <paramref name="fd"/> for one readiness report: for reading (data, end of stream) if
    /// <paramref name="read"/>, for room to send if <paramref name="write"/>. Re-arming replaces the earlier interest.</summary>
    public void Arm(int fd, bool read, bool write)
    {
        var ev = new epoll_event { events = (read ? LibC.EPOLLIN | LibC.EPOLLRDHUP : 0) | (write ? LibC.EPOLLOUT : 0) | LibC.EPOLLONESHOT };
        ev.data.fd = fd;
        if (LibC.epoll_ctl(_epfd, LibC.EPOLL_CTL_MOD, fd, &ev) == 0) return;
        if (Marshal.GetLastPInvokeError() == LibC.ENOENT && LibC.epoll_ctl(_epfd, LibC.EPOLL_CTL_ADD, fd, &ev) == 0) return;
        throw PosixErrors.FromLastError("epoll_ctl");
    }

    /// <summary>Removes <paramref name="fd"/> (ignored if it is not there or already closed).</summary>
    public void Disarm(int fd) => LibC.epoll_ctl(_epfd, LibC.EPOLL_CTL_DEL, fd, null);

    /// <summary>Waits up to <paramref name="timeoutMs"/>; writes each ready descriptor and whether it can be read
    /// (or hung up / failed) and written; returns how many.</summary>
    public int Wait(Span<int> fds, Span<bool> readable, Span<bool> writable, int timeoutMs)
    {
        var events = stackalloc epoll_event[fds.Length];
        int n = LibC.epoll_wait(_epfd, events, fds.Length, timeoutMs);
        if (n < 0)
        {
            if (Marshal.GetLastPInvokeError() == LibC.EINTR) return 0;
            throw PosixErrors.FromLastError("epoll_wait");
        }
        int failed = LibC.EPOLLHUP | LibC.EPOLLERR;
        for (int i = 0; i < n; i++)
        {
            int e = (int)events[i].events;
            fds[i] = events[i].data.fd;
            readable[i] = (e & (LibC.EPOLLIN | LibC.EPOLLRDHUP | failed)) != 0;
            writable[i] = (e & (LibC.EPOLLOUT | failed)) != 0;
        }
        return n;
    }

    /// <summary>Closes the epoll instance.</summary>
    public void Dispose() => LibC.close(_epfd);
}
