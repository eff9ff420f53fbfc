namespace NativeIpc.Process;

/// <summary>What an <see cref="IpcProcess"/> stands for, and so what it can do: a child this process starts
/// (<see cref="ChildRole"/>), this process (<see cref="CurrentRole"/>) or this child's parent (<see cref="ParentRole"/>).
/// The public type stays one class, as Python's <c>current_process()</c> and <c>parent_process()</c> are
/// <c>BaseProcess</c> objects too; each role answers only for its own kind.</summary>
internal abstract class ProcessRole
{
    public abstract string Name { get; set; }

    public abstract bool Daemon { get; set; }

    public abstract int? Pid { get; }

    public abstract bool IsAlive { get; }

    public virtual int? ExitCode => null;

    public abstract IpcProcess Start();

    /// <summary>Waits at most <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit).</summary>
    public abstract bool Join(TimeSpan timeout);

    public abstract Task WaitForExitAsync(CancellationToken cancellationToken);

    public abstract void Send(StopSignal signal);

    public abstract void Dispose();

    /// <summary>The text inside <c>&lt;IpcProcess name='...' ...&gt;</c> after the name.</summary>
    public abstract string Describe();
}
