using System.Runtime.InteropServices;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix;

/// <summary>Signal numbers and kill(2).</summary>
internal static class Signals
{
    /// <summary>SIGKILL.</summary>
    public static int SIGKILL => LibC.SIGKILL;
    /// <summary>SIGTERM.</summary>
    public static int SIGTERM => LibC.SIGTERM;
    /// <summary>SIGINT.</summary>
    public static int SIGINT => LibC.SIGINT;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; returns false when the process no longer exists.</summary>
    public static bool Kill(int pid, int signal)
    {
        if (LibC.kill(pid, signal) == 0) return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == LibC.ESRCH) return false;
        throw PosixErrors.ToException(errno, $"kill(signal {signal})", $"process {pid}");
    }

    /// <summary>True if a process with this pid exists (it may be a zombie); uses kill(pid, 0).</summary>
    public static bool Exists(int pid)
    {
        if (LibC.kill(pid, 0) == 0) return true;
        return Marshal.GetLastPInvokeError() != LibC.ESRCH;
    }
}
