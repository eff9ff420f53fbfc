namespace NativeIpc.Process;

/// <summary>This process (Python's <c>current_process()</c>): always alive, cannot wait for itself. Its name is
/// <see cref="ProcessIdentity.Name"/>, so renaming it also renames what children see as their parent.</summary>
internal sealed class CurrentRole() : ExistingProcessRole(ProcessIdentity.Name, ProcessIdentity.Daemon)
{
    public override string Name
    {
        get => ProcessIdentity.Name;
        set => ProcessIdentity.Name = value;
    }

    public override bool Daemon
    {
        get => ProcessIdentity.Daemon;
        set => base.Daemon = value;
    }

    public override int? Pid => Environment.ProcessId;

    public override bool IsAlive => true;

    public override bool Join(TimeSpan timeout) => throw SelfWait("Join");

    public override Task WaitForExitAsync(CancellationToken cancellationToken) => throw SelfWait("WaitForExitAsync");

    private static InvalidOperationException SelfWait(string operation) => new($"{operation}: a process cannot wait for itself.");
}
