using NativeIpc.Os;

namespace NativeIpc.Process;

/// <summary>A child this process starts: the target and its arguments until <see cref="Start"/>, then the
/// platform's <see cref="IChildProcess"/> until the object is disposed and the child has exited.</summary>
internal sealed class ChildRole : ProcessRole
{
    private readonly Delegate _target;
    private readonly object?[] _args;
    private string? _name;
    private string? _identity;
    private bool _daemon;
    private IChildProcess? _child;
    private int _disposed;

    public ChildRole(IpcProcess owner, Delegate target, object?[] args)
    {
        Described = TargetMethod.Describe(target, out var parameters);
        Owner = owner;
        _target = target;
        _args = args ?? [];
        Described.CheckArguments(parameters, _args, nameof(args));
    }

    public IpcProcess Owner { get; }

    /// <summary>The target as the child will look it up (tests replace it to simulate a moved assembly).</summary>
    public TargetMethod Described { get; set; }

    public override string Name
    {
        get => _name ??= "Process-" + Identity;
        set => _name = value;
    }

    private string Identity => _identity ??= ProcessIdentity.NextChildIdentity();

    public override bool Daemon
    {
        get => _daemon;
        set
        {
            if (_child is not null) throw new InvalidOperationException("Daemon must be set before the process is started.");
            _daemon = value;
        }
    }

    public override int? Pid => _child?.Pid;

    /// <summary>The child's owner id (<see cref="ProcessLiveness"/>) once started, else 0.</summary>
    public int LivenessOwner => _child?.Owner ?? 0;

    /// <summary>Started and not yet exited; readable after Dispose (the registry and ToString use it).</summary>
    public bool IsRunning => _child is { } c && !c.Exited.IsCompleted;

    public override bool IsAlive
    {
        get
        {
            ThrowIfDisposed();
            return IsRunning;
        }
    }

    public override int? ExitCode => _child is { } c && c.Exited.IsCompletedSuccessfully ? c.Exited.Result : null;

    public override IpcProcess Start()
    {
        ThrowIfDisposed();
        if (_child is not null) throw new InvalidOperationException($"Process '{Name}' was already started (pid {Pid}); a process can be started once.");
        if (ChildCommand.IsSelfContainedBinary && !IpcProcess.FreezeSupportCalled)
            throw new InvalidOperationException("This is a NativeAOT or single-file app: call Multiprocessing.FreezeSupport() first thing in Main, so children can run their targets.");
        var spec = new LaunchSpec(ProcessIdentity.Name, Environment.ProcessId, ProcessLiveness.Self, Name, _daemon, Identity, Described);
        var parameters = _target.Method.GetParameters();
        var (program, argv, env) = ChildCommand.Build();
        var standby = IpcProcess.StartMethod == IpcStartMethod.Standby && OperatingSystem.IsLinux() ? StandbyPool.TryTake(program, argv, env) : null;
        if (standby is not null)
        {
            standby.SendSpec((spec with { Context = (Environment.CurrentDirectory, env) }).Build(_args, parameters));
            _child = standby;
        }
        else
        {
            _child = OsLayer.Launcher.Spawn(new ChildLaunch(program, argv, env, spec.Build(_args, parameters), _daemon));
        }
        foreach (var arg in _args)
            if (arg is Transfer.ITransferable t) t.OnSentToChild(_child.Owner);
        ChildRegistry.Add(this);
        IpcMetrics.OnProcessStarted(_child);
        if (StartTrace.Enabled) StartTrace.Mark($"parent: started pid {_child.Pid}{(standby is not null ? " (standby)" : "")}");
        return Owner;
    }

    public override bool Join(TimeSpan timeout)
    {
        var exited = Started("Join").Exited;
        bool done = exited.Wait(timeout);
        if (done && StartTrace.Enabled) StartTrace.Mark($"parent: joined pid {Pid}");
        if (done) ThrowIfStartFailed();
        return done;
    }

    public override async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        await Started("WaitForExitAsync").Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfStartFailed();
    }

    public override void Send(StopSignal signal)
    {
        var child = Started(signal.ToString());
        switch (signal)
        {
            case StopSignal.Interrupt: child.Interrupt(); break;
            default: child.Stop(force: signal == StopSignal.Kill); break;
        }
    }

    /// <summary>Releases the child's handle now if it has exited, else as soon as it exits; until then it stays
    /// registered, so this process still waits for it (or kills it, a daemon) at exit.</summary>
    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_child is not { } c) return;
        if (c.Exited.IsCompleted) Release(c);
        else c.Exited.ContinueWith(_ => Release(c), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Release(IChildProcess c)
    {
        c.Dispose();
        ChildRegistry.Remove(this);
    }

    public void KillAtExit() => _child?.Stop(force: true);

    public void WaitAtExit() => _child?.Exited.Wait();

    public override string Describe()
        => (_child is null ? "initial" : IsRunning ? $"pid={Pid} started" : $"pid={Pid} exitcode={ExitCode}") + (_daemon ? " daemon" : "");

    private IChildProcess Started(string operation)
    {
        ThrowIfDisposed();
        return _child ?? throw new InvalidOperationException($"{operation} called on process '{Name}', which was never started; call Start() first.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, Owner);

    private void ThrowIfStartFailed()
    {
        var c = _child!;
        var report = c.StatusReport;
        if (report.Length > 0 && report[0] == ChildBootstrap.Failed)
            throw new IpcChildStartException($"Process '{Name}' (pid {Pid}) could not run its target: {System.Text.Encoding.UTF8.GetString(report.AsSpan(1))}");
        if (report.Length == 0 && ReachedNoTarget(c.Exited.Result))
            throw new IpcChildStartException(
                $"Process '{Name}' (pid {Pid}) exited with code {c.Exited.Result} before it reached its target '{Described.DisplayName}'; its stderr says why.");
    }

    /// <summary>An exit code that says the runtime failed before the target: positive, or on Windows an HRESULT (a
    /// host or runtime start failure, e.g. 0x80008089, reads negative); small negatives are kills (-signal).</summary>
    private static bool ReachedNoTarget(int code) => code > 0 || (OperatingSystem.IsWindows() && code < -64);
}
