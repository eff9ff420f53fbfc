using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>Process identity, signals, exit observation (pidfd + waitid) and prctl.</summary>
internal static unsafe partial class Process
{
    public const int P_PIDFD = 3;
    public const int WEXITED = 4;
    public const int WNOHANG = 1;
    public const int CLD_EXITED = 1;
    public const int CLD_KILLED = 2;
    public const int CLD_DUMPED = 3;
    public const int PR_SET_PDEATHSIG = 1;
    public const int PR_SET_NAME = 15;

    // siginfo_t is 128 bytes; for SIGCHLD si_pid sits at 16, si_status at 24 (all Linux ABIs we target).
    public const int SigInfoSize = 128;
    public const int SigInfoCodeOffset = 8;
    public const int SigInfoPidOffset = 16;
    public const int SigInfoStatusOffset = 24;

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int waitid(int idtype, int id, void* infop, int options);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Libc.Name)]
    public static partial int getpid();

    [LibraryImport(Libc.Name)]
    public static partial int getppid();

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int sched_getaffinity(int pid, nuint cpusetsize, void* mask);
}
