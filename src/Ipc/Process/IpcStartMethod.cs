namespace NativeIpc;

/// <summary>How <see cref="IpcProcess.Start()"/> gets a process. Set with <see cref="Multiprocessing.SetStartMethod"/>.</summary>
/// <remarks>Python: the start methods of multiprocessing.set_start_method ('spawn', 'forkserver'); NativeIpc never forks.</remarks>
public enum IpcStartMethod
{
    /// <summary>Each <c>Start</c> spawns a fresh process and the runtime starts from scratch (tens of ms). The default.</summary>
    Spawn,

    /// <summary>One spawned child is kept waiting, its runtime already started; <c>Start</c> hands it the target
    /// (a few ms) and starts the next standby in the background. The child gets the parent's working directory and
    /// environment as they are at <c>Start</c>. Costs one idle process while the parent runs (it exits with the
    /// parent). Linux and Windows; on Windows a daemon child is always spawned (its job object is set at spawn).</summary>
    Standby,
}
