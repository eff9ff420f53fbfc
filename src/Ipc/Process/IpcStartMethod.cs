namespace NativeIpc;

/// <summary>How <see cref="IpcProcess.Start()"/> gets a process. Set with <see cref="Multiprocessing.SetStartMethod(IpcStartMethod)"/>.</summary>
/// <remarks>Python: the start methods of multiprocessing.set_start_method ('spawn', 'forkserver'); NativeIpc never forks.</remarks>
public enum IpcStartMethod
{
    /// <summary>Each <c>Start</c> spawns a fresh process and the runtime starts from scratch (tens of ms). The default.</summary>
    Spawn,

    /// <summary>Linux: warm children are kept waiting, their runtime started and their bootstrap warmed (how many:
    /// <see cref="Multiprocessing.SetStartMethod(IpcStartMethod, int)"/>, default <see cref="Multiprocessing.CpuCount"/>,
    /// at least 2); <c>Start</c> hands one the target (milliseconds) and another is spawned in the background. A
    /// standby that dies while it waits is replaced, never handed out. The child gets the parent's working directory
    /// and environment as they are at <c>Start</c>. Costs the idle processes while the parent runs (they exit with the
    /// parent, SIGKILL included). <see cref="ProcessPool"/> workers start the same way. Elsewhere choosing it throws
    /// <see cref="PlatformNotSupportedException"/>.</summary>
    Standby,
}
