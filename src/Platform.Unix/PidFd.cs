using System.Runtime.InteropServices;
using P = NativeIpc.Platform.Unix.Interop.Process;

namespace NativeIpc.Platform.Unix;

/// <summary>Process descriptors (Linux 5.3+): a handle on one process that survives pid reuse.
/// Readable (poll) once the process has exited.</summary>
public static unsafe class PidFd
{
    /// <summary>pidfd_open(2). Throws with ESRCH if no such process.</summary>
    public static SafeFd Open(int pid)
    {
        long fd = P.syscall(Interop.Libc.SysNo.pidfd_open, pid, 0, 0, 0, 0, 0);
        if (fd < 0) throw PosixException.FromLastError("pidfd_open", $"pid {pid}");
        return new SafeFd((int)fd);
    }

    /// <summary>pidfd_send_signal(2); false when the process has already exited.</summary>
    public static bool SendSignal(SafeFd pidfd, int signal)
    {
        if (P.syscall(Interop.Libc.SysNo.pidfd_send_signal, pidfd.Fd, signal, 0, 0, 0, 0) == 0) return true;
        int e = Marshal.GetLastPInvokeError();
        if (e == Errno.ESRCH) return false;
        throw new PosixException("pidfd_send_signal", e);
    }

    /// <summary>waitid(P_PIDFD, WEXITED|WNOHANG): reaps the child if it has exited. Only works on our own children.</summary>
    public static bool TryReap(SafeFd pidfd, out ExitStatus status)
    {
        byte* info = stackalloc byte[P.SigInfoSize];
        new Span<byte>(info, P.SigInfoSize).Clear();
        while (P.waitid(P.P_PIDFD, pidfd.Fd, info, P.WEXITED | P.WNOHANG) != 0)
        {
            int e = Marshal.GetLastPInvokeError();
            if (e != Errno.EINTR) throw new PosixException("waitid", e);
        }
        int pid = *(int*)(info + P.SigInfoPidOffset);
        if (pid == 0) { status = default; return false; }
        int code = *(int*)(info + P.SigInfoCodeOffset);
        int value = *(int*)(info + P.SigInfoStatusOffset);
        status = code == P.CLD_EXITED ? new ExitStatus(value, 0) : new ExitStatus(0, value);
        return true;
    }

    /// <summary>True once the process behind <paramref name="pidfd"/> has exited (poll, no reaping).</summary>
    public static bool HasExited(SafeFd pidfd, int timeoutMs = 0)
    {
        Span<bool> ready = stackalloc bool[1];
        return FileDescriptors.PollReadable([pidfd.Fd], ready, timeoutMs) > 0;
    }
}
