using System.Runtime.InteropServices;

namespace NativeIpc.Chaos;

/// <summary>The few libc calls the suite needs for itself: SIGKILL of a pool worker it knows only by pid, and
/// becoming the subreaper that collects orphans (so a killed parent's children cannot escape the stray check).</summary>
internal static partial class Native
{
    public const int SIGKILL = 9;
    private const int PR_SET_CHILD_SUBREAPER = 36;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    public static bool SendKill(int pid) => Kill(pid, SIGKILL) == 0;

    public static bool BecomeSubreaper() => Prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}
