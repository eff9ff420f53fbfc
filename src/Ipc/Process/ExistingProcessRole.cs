namespace NativeIpc.Process;

/// <summary>A process this one did not start (itself or its parent): it can be named and watched, not started,
/// signalled or disposed (it owns no handle).</summary>
internal abstract class ExistingProcessRole(string name, bool daemon) : ProcessRole
{
    private string _name = name;

    public override string Name
    {
        get => _name;
        set => _name = value;
    }

    public override bool Daemon
    {
        get => daemon;
        set => throw new InvalidOperationException($"'{Name}' is an existing process; Daemon is set on a child before it starts.");
    }

    public override IpcProcess Start()
        => throw new InvalidOperationException($"'{Name}' is an existing process (pid {Pid}); only a process created with a target can be started.");

    public override void Send(StopSignal signal)
        => throw new InvalidOperationException($"{signal} is only for child processes this process started; '{Name}' is not one.");

    public override void Dispose() { }

    public override string Describe() => $"pid={Pid} started{(Daemon ? " daemon" : "")}";
}
