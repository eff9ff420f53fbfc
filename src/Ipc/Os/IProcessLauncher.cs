namespace NativeIpc.Os;

/// <summary>Platform seam for starting children and for the child's side of the launch channel.</summary>
internal interface IProcessLauncher
{
    /// <summary>Name of the environment variable that carries the child's channel (handles or descriptors).</summary>
    const string ChannelVariable = "NATIVEIPC_CHILD";

    /// <summary>Set (to 1) for a child started without a spec (a standby): it warms its bootstrap before it waits.</summary>
    const string StandbyVariable = "NATIVEIPC_STANDBY";

    /// <summary>The byte a standby writes on its status channel once warm; never part of the status report.</summary>
    const byte WaitingNotice = (byte)'W';

    /// <summary>Starts a child; the spec (when given) is written to its channel before this returns.</summary>
    IChildProcess Spawn(ChildLaunch launch);

    /// <summary>In a child: reads the spec from the channel named by <paramref name="channel"/> and returns a
    /// writer for the status report.</summary>
    (byte[] Spec, Action<byte[]> ReportStatus) OpenChildChannel(string channel);

    /// <summary>In a standby child: tells the parent it is warm and waiting for its spec
    /// (<see cref="IChildProcess.IsWaitingForSpec"/>). Platforms without the notice do nothing.</summary>
    void AnnounceWaiting(string channel) { }

    /// <summary>In a child: arranges to die when the parent dies (daemon children). False if the parent is gone already.</summary>
    bool BindToParentLifetime(int parentPid);

    /// <summary>True if a process with this pid is running (best effort for processes that are not our children).</summary>
    bool IsRunning(int pid);
}
