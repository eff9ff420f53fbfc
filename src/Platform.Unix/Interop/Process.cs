using System.Runtime.InteropServices;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>Process identity, signals, exit observation (pidfd + waitid) and prctl. kill, getpid, getppid,
/// sched_getaffinity, syscall, siginfo_t and the CLD_* codes come from Tmds.LibC.</summary>
internal static unsafe partial class Process
{
    // Not in Tmds.LibC: waitid's P_PIDFD (Linux 5.4), its option bits, and prctl's options.
    public const int P_PIDFD = 3;
    public const int WEXITED = 4;
    public const int WNOHANG = 1;
    public const int PR_SET_PDEATHSIG = 1;

    // Hand-written: Tmds.LibC 0.5.0's siginfo_t puts si_code at 4 (musl's MIPS order); Linux on x86-64/arm64 has
    // si_signo, si_errno, si_code, so si_code is at 8. Its si_pid (16) and si_status (24) are right.
    public const int SigInfoCodeOffset = 8;

    // Hand-written: Tmds.LibC has no waitid.
    [LibraryImport(Libc.Name, SetLastError = true, EntryPoint = "waitid")]
    private static partial int waitid_raw(int idtype, uint id, siginfo_t* infop, int options);

    /// <summary>waitid(P_PIDFD, pidfd, ...), holding the pidfd for the call.</summary>
    public static int waitid(SafeFd pidfd, siginfo_t* infop, int options)
    {
        using var l = pidfd.Use();
        return waitid_raw(P_PIDFD, (uint)l.Fd, infop, options);
    }

    // Hand-written: Tmds.LibC has no prctl.
    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
