using System.Runtime.InteropServices;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix;

/// <summary>One epoll instance: arm a descriptor once for readability or writability (one-shot), wait for whichever
/// armed descriptors became ready. The caller runs the wait loop on one thread; this wraps the system calls.</summary>
public sealed unsafe class SocketReadinessPoller : IDisposable
{
    private readonly int _epfd;

    /// <summary>Creates the epoll instance.</summary>
    public SocketReadinessPoller()
    {
        _epfd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (_epfd < 0) throw PosixErrors.FromLastError("epoll_create1");
    }

    /// <summary>Arms <paramref name="fd"/> for one readiness report (<paramref name="write"/>: room to send, else data
    /// or end of stream), tagged <paramref name="token"/>.</summary>
    public void Arm(int fd, bool write, ulong token)
    {
        var ev = new epoll_event { events = (write ? LibC.EPOLLOUT : LibC.EPOLLIN | LibC.EPOLLRDHUP) | LibC.EPOLLONESHOT };
        ev.data.u64 = token;
        if (LibC.epoll_ctl(_epfd, LibC.EPOLL_CTL_ADD, fd, &ev) == 0) return;
        if (Marshal.GetLastPInvokeError() == LibC.EEXIST && LibC.epoll_ctl(_epfd, LibC.EPOLL_CTL_MOD, fd, &ev) == 0) return;
        throw PosixErrors.FromLastError("epoll_ctl");
    }

    /// <summary>Removes <paramref name="fd"/> (ignored if it is not armed or already closed).</summary>
    public void Disarm(int fd) => LibC.epoll_ctl(_epfd, LibC.EPOLL_CTL_DEL, fd, null);

    /// <summary>Waits up to <paramref name="timeoutMs"/> and writes the tokens of ready descriptors into
    /// <paramref name="tokens"/>; returns how many.</summary>
    public int Wait(Span<ulong> tokens, int timeoutMs)
    {
        var events = stackalloc epoll_event[tokens.Length];
        int n = LibC.epoll_wait(_epfd, events, tokens.Length, timeoutMs);
        if (n < 0)
        {
            if (Marshal.GetLastPInvokeError() == LibC.EINTR) return 0;
            throw PosixErrors.FromLastError("epoll_wait");
        }
        for (int i = 0; i < n; i++) tokens[i] = events[i].data.u64;
        return n;
    }

    /// <summary>Closes the epoll instance.</summary>
    public void Dispose() => LibC.close(_epfd);
}
