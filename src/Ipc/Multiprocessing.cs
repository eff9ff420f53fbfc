using NativeIpc.Process;

namespace NativeIpc;

/// <summary>Python's <c>multiprocessing</c> module functions, for code ported line by line.</summary>
public static partial class Multiprocessing
{
    /// <summary>The process this code runs in: "MainProcess" in the program you started, the name its parent
    /// gave in a child. It is always alive; it cannot be started, joined or signalled (that throws
    /// <see cref="InvalidOperationException"/>), and Dispose does nothing. Renaming it renames the parent its
    /// children see.</summary>
    /// <remarks>Python: multiprocessing.current_process()</remarks>
    public static IpcProcess CurrentProcess => IpcProcess.Current;

    /// <summary>The parent, in a NativeIpc child; null in the main process. Its <see cref="IpcProcess.Name"/> is the
    /// parent's own name when it started this child ("MainProcess" or the name its parent gave), and
    /// <see cref="IpcProcess.IsAlive"/>/<see cref="IpcProcess.Join"/> watch it; it cannot be started or signalled.</summary>
    /// <remarks>Python: multiprocessing.parent_process()</remarks>
    public static IpcProcess? ParentProcess => IpcProcess.Parent;

    /// <summary>Child processes started by this process that are still running.</summary>
    /// <remarks>Python: multiprocessing.active_children()</remarks>
    public static IReadOnlyList<IpcProcess> ActiveChildren() => IpcProcess.LiveChildren();

    /// <summary>The number of CPUs this process may use: honours the affinity mask and a cgroup CPU quota
    /// (it is <see cref="Environment.ProcessorCount"/>).</summary>
    /// <remarks>Python: multiprocessing.cpu_count() / os.process_cpu_count()</remarks>
    public static int CpuCount => Environment.ProcessorCount;

    /// <summary>Creates (without starting) a child process; see <see cref="IpcProcess(Delegate, object?[])"/>.</summary>
    /// <remarks>Python: multiprocessing.Process(target=..., args=...)</remarks>
    public static IpcProcess Process(Delegate target, params object?[] args) => new(target, args);

    /// <summary>Chooses how <see cref="IpcProcess.Start()"/> gets a process: <see cref="IpcStartMethod.Spawn"/> (default)
    /// or <see cref="IpcStartMethod.Standby"/> (a pre-started child is kept ready: start-up in milliseconds).</summary>
    /// <remarks>Python: multiprocessing.set_start_method</remarks>
    public static void SetStartMethod(IpcStartMethod method) => IpcProcess.StartMethod = method;

    /// <summary>Chooses the start method and, for <see cref="IpcStartMethod.Standby"/>, how many warm children to keep
    /// (default: <see cref="CpuCount"/>, at least 2). Each start takes one and another is spawned in the background;
    /// a burst of more starts than <paramref name="standbyCount"/> within a runtime's boot time (tens of ms) spawns
    /// the rest as <see cref="IpcStartMethod.Spawn"/> would. Filling starts at once.</summary>
    /// <param name="method">The start method.</param>
    /// <param name="standbyCount">Warm children to keep; 0 keeps none. Ignored for <see cref="IpcStartMethod.Spawn"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="standbyCount"/> is negative.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="IpcStartMethod.Standby"/> outside Linux.</exception>
    /// <remarks>Python: multiprocessing.set_start_method (forkserver's warm server is the closest Python analogue)</remarks>
    public static void SetStartMethod(IpcStartMethod method, int standbyCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(standbyCount);
        StandbyPool.Count = standbyCount;
        IpcProcess.StartMethod = method;
    }

    /// <summary>Waits until the standby children of <see cref="IpcStartMethod.Standby"/> are all warm and waiting
    /// (e.g. at program start, so the first starts do not wait for a runtime to boot).</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>True when the full count is ready; false on timeout, or when the start method is not Standby.</returns>
    public static bool WaitForStandby(TimeSpan timeout) => StandbyPool.WaitUntilFull(timeout);

    /// <summary>The current start method.</summary>
    /// <remarks>Python: multiprocessing.get_start_method()</remarks>
    public static IpcStartMethod GetStartMethod() => IpcProcess.StartMethod;

    /// <summary>Call first thing in <c>Main</c> of a NativeAOT or single-file app: in a child it runs the target and
    /// exits; in the main process it returns at once. Elsewhere it is not needed (a startup hook does the same)
    /// and does nothing.</summary>
    /// <remarks>Python: multiprocessing.freeze_support()</remarks>
    public static void FreezeSupport()
    {
        IpcProcess.FreezeSupportCalled = true;
        if (ChildBootstrap.PendingChannel is { } channel) ChildBootstrap.RunAndExit(channel);
    }
}
