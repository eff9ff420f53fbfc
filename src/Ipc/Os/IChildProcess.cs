namespace NativeIpc.Os;

/// <summary>A child process as the platform sees it: pid, exit observation, signals.</summary>
internal interface IChildProcess : IDisposable
{
    /// <summary>The operating system's process id.</summary>
    int Pid { get; }

    /// <summary>The owner id the child holds (<see cref="ProcessLiveness"/>), reserved for it before it started.</summary>
    int Owner { get; }

    /// <summary>Completes with the exit code (Python style: minus the signal number when killed by one).</summary>
    Task<int> Exited { get; }

    /// <summary>Asks the child to stop (SIGTERM / TerminateProcess); <paramref name="force"/> sends SIGKILL.</summary>
    void Stop(bool force);

    /// <summary>Sends SIGINT (Unix); nothing once the child has exited. Windows: <see cref="PlatformNotSupportedException"/>
    /// (a console control event reaches only a child in its own process group on the same console).</summary>
    void Interrupt();

    /// <summary>Sends the launch spec to a child started without one (a standby); an empty spec tells it to exit.</summary>
    void SendSpec(byte[] spec);

    /// <summary>A standby child has announced that it is warm and waiting for its spec
    /// (<see cref="IProcessLauncher.AnnounceWaiting"/>); platforms without the notice say true at once.</summary>
    bool IsWaitingForSpec() => true;

    /// <summary>Blocks until <see cref="IsWaitingForSpec"/> holds; false when the child exited first or the timeout
    /// elapsed.</summary>
    bool WaitUntilWaitingForSpec(TimeSpan timeout) => IsWaitingForSpec();

    /// <summary>What the child wrote on its status channel before it exited (valid once <see cref="Exited"/> completed).</summary>
    byte[] StatusReport { get; }
}
