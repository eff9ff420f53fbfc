using Tmds.Linux;
using P = NativeIpc.Platform.Unix.Interop.Process;

namespace NativeIpc.Platform.Unix;

/// <summary>The calling process: pid, parent pid, prctl, CPU affinity.</summary>
internal static unsafe class ProcessControl
{
    /// <summary>getpid(2).</summary>
    public static int GetPid() => LibC.getpid();

    /// <summary>getppid(2).</summary>
    public static int GetParentPid() => LibC.getppid();

    /// <summary>prctl(PR_SET_PDEATHSIG): the kernel sends <paramref name="signal"/> to this process when the
    /// thread that created it exits.</summary>
    public static void SetParentDeathSignal(int signal)
    {
        if (P.prctl(P.PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0) != 0)
            throw PosixErrors.FromLastError("prctl(PR_SET_PDEATHSIG)");
    }

    /// <summary>Number of CPUs in this process's affinity mask (sched_getaffinity), or -1 if unknown.</summary>
    public static int GetAffinityCpuCount()
    {
        cpu_set_t mask;
        if (LibC.sched_getaffinity(0, sizeof(cpu_set_t), &mask) != 0) return -1;
        return LibC.CPU_COUNT(&mask);
    }
}
