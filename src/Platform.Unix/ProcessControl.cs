using System.Runtime.InteropServices;
using P = NativeIpc.Platform.Unix.Interop.Process;

namespace NativeIpc.Platform.Unix;

/// <summary>The calling process: pid, parent pid, prctl, CPU affinity.</summary>
public static unsafe class ProcessControl
{
    /// <summary>getpid(2).</summary>
    public static int GetPid() => P.getpid();

    /// <summary>getppid(2).</summary>
    public static int GetParentPid() => P.getppid();

    /// <summary>prctl(PR_SET_PDEATHSIG): the kernel sends <paramref name="signal"/> to this process when the
    /// thread that created it exits.</summary>
    public static void SetParentDeathSignal(int signal)
    {
        if (P.prctl(P.PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0) != 0)
            throw PosixException.FromLastError("prctl(PR_SET_PDEATHSIG)");
    }

    /// <summary>Number of CPUs in this process's affinity mask (sched_getaffinity), or -1 if unknown.</summary>
    public static int GetAffinityCpuCount()
    {
        const int bytes = 1024 / 8;
        ulong* mask = stackalloc ulong[bytes / 8];
        if (P.sched_getaffinity(0, bytes, mask) != 0) return -1;
        int n = 0;
        for (int i = 0; i < bytes / 8; i++) n += System.Numerics.BitOperations.PopCount(mask[i]);
        return n;
    }
}
