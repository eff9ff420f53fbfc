using System.Runtime.InteropServices;
using Tmds.Linux;
using P = NativeIpc.Platform.Unix.Interop.Process;

namespace NativeIpc.Platform.Unix;

/// <summary>Process descriptors (Linux 5.3+): a handle on one process that survives pid reuse.
/// Readable (poll) once the process has exited.</summary>
internal static unsafe class PidFd
{
    /// <summary>pidfd_open(2). Throws with ESRCH if no such process.</summary>
    public static SafeFd Open(int pid)
    {
        long fd = (ssize_t)LibC.syscall(Interop.Libc.SysNo.pidfd_open, pid, 0);
        if (fd < 0) throw PosixErrors.FromLastError("pidfd_open", $"process {pid}");
        return new SafeFd((int)fd);
    }

    /// <summary>pidfd_send_signal(2); false when the process has already exited.</summary>
    public static bool SendSignal(SafeFd pidfd, int signal)
    {
        long r;
        using (var l = pidfd.Use()) r = (ssize_t)LibC.syscall(Interop.Libc.SysNo.pidfd_send_signal, l.Fd, signal, (void*)null, 0);
        if (r == 0) return true;
        int e = Marshal.GetLastPInvokeError();
        if (e == Errno.ESRCH) return false;
        throw PosixErrors.ToException(e, "pidfd_send_signal");
    }

    /// <summary>waitid(P_PIDFD, WEXITED|WNOHANG): reaps the child if it has exited. Only works on our own children.</summary>
    public static bool TryReap(SafeFd pidfd, out ExitStatus status)
    {
        siginfo_t info = default;
        while (P.waitid(pidfd, &info, P.WEXITED | P.WNOHANG) != 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e != Errno.EINTR) throw PosixErrors.ToException(e, "waitid");
        }
        // WNOHANG with nothing to reap leaves si_pid 0.
        if (info.si_pid == 0) { status = default; return false; }
        int code = *(int*)((byte*)&info + P.SigInfoCodeOffset);
        status = code == LibC.CLD_EXITED ? new ExitStatus(info.si_status, 0) : new ExitStatus(0, info.si_status);
        return true;
    }

    /// <summary>True once the process behind <paramref name="pidfd"/> has exited (poll, no reaping).</summary>
    public static bool HasExited(SafeFd pidfd, int timeoutMs = 0)
    {
        Span<bool> ready = stackalloc bool[1];
        return FileDescriptors.PollReadable([pidfd.Fd], ready, timeoutMs) > 0;
    }
}
