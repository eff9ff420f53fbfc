using System.Reflection;
using NativeIpc.Os;
using NativeIpc.Process;

namespace NativeIpc;

/// <summary>A .NET method running in another operating-system process: Python's <c>multiprocessing.Process</c>.
/// The child is a fresh process (posix_spawn / CreateProcess, never fork) that runs the target with the
/// arguments given, then exits.</summary>
/// <remarks>
/// <para>The target is a static method or a lambda that captures nothing. Arguments are primitives, enums, strings,
/// unmanaged structs, arrays of those, <c>byte[]</c>, types with an <see cref="IIpcSerializer{T}"/> (or that
/// System.Text.Json can handle), and NativeIpc objects, which travel as handles to the same OS object.</para>
/// <para>Exit codes follow Python: 0 on return, 1 after an unhandled exception (printed to the child's stderr),
/// <c>n</c> after <c>Environment.Exit(n)</c>, <c>-signal</c> when killed by a signal.</para>
/// <para>When the parent exits normally, it kills its daemon children and waits for the others, as Python does.
/// Daemon children also die when the parent is killed (SIGKILL included).</para>
/// </remarks>
/// <example><code>
/// using var p = IpcProcess.Start(Worker.Run, "hello", 42);
/// p.Join();
/// Console.WriteLine(p.ExitCode); // 0
/// </code></example>
public sealed partial class IpcProcess : IDisposable
{
    private static readonly object s_gate = new();
    private static readonly List<IpcProcess> s_children = [];
    private static bool s_exitHookInstalled;
    private static readonly Lazy<IpcProcess> s_current = new(() => new IpcProcess(Environment.ProcessId, ProcessIdentity.Name, ProcessIdentity.Daemon, isCurrent: true));
    private static readonly Lazy<IpcProcess?> s_parent = new(() => ProcessIdentity.ParentPid is int pp ? new IpcProcess(pp, "parent", false, isCurrent: false) : null);

    private readonly Delegate? _target;
    private readonly object?[] _args;
    private readonly bool _isHandleOnly;
    private readonly bool _isCurrent;
    private string? _name;
    private bool _daemon;
    private IChildProcess? _child;
    private TargetMethod? _described;
    private int _pid;
    private bool _disposed;

    /// <summary>Creates a child process object for <paramref name="target"/>; call <see cref="Start()"/> to run it.
    /// Prefer the typed <see cref="Create(Action)"/>/<see cref="Start(Action)"/> overloads, which check argument types at compile time.</summary>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="args">The target's arguments, in order.</param>
    /// <exception cref="ArgumentException">The target is not a static method or capture-free lambda, or the arguments do not match its parameters.</exception>
    /// <remarks>Python: <c>Process(target=..., args=...)</c></remarks>
    public IpcProcess(Delegate target, params object?[] args)
    {
        _described = TargetMethod.Describe(target, out var parameters);
        _target = target;
        _args = args ?? [];
        _described.CheckArguments(parameters, _args, nameof(args));
    }

    private IpcProcess(int pid, string name, bool daemon, bool isCurrent)
    {
        _args = [];
        _pid = pid;
        _name = name;
        _daemon = daemon;
        _isHandleOnly = true;
        _isCurrent = isCurrent;
    }

    /// <summary>The process's name, for display only. Defaults to <c>Process-N</c> (Python's naming);
    /// in a child, <see cref="Multiprocessing.CurrentProcess"/>.Name is the name its parent gave.</summary>
    /// <remarks>Python: Process.name</remarks>
    public string Name
    {
        get => _name ??= "Process-" + (_identity ??= ProcessIdentity.NextChildIdentity());
        set { ArgumentNullException.ThrowIfNull(value); _name = value; }
    }

    private string? _identity;

    /// <summary>A daemon child is killed when its parent exits, however it exits; a non-daemon child is waited for
    /// at normal exit. Set before <see cref="Start()"/>.</summary>
    /// <remarks>Python: Process.daemon</remarks>
    public bool Daemon
    {
        get => _daemon;
        set
        {
            if (_child is not null || _isHandleOnly) throw new InvalidOperationException("Daemon must be set before the process is started.");
            _daemon = value;
        }
    }

    /// <summary>The operating system's process id, or null before <see cref="Start()"/>.</summary>
    /// <remarks>Python: Process.pid</remarks>
    public int? Pid => _pid == 0 ? null : _pid;

    /// <summary>True from <see cref="Start()"/> until the process has exited.</summary>
    /// <remarks>Python: Process.is_alive()</remarks>
    public bool IsAlive => _isCurrent || (_isHandleOnly ? OsLayer.Launcher.IsRunning(_pid) : _child is { } c && !c.Exited.IsCompleted);

    /// <summary>Null while running (or before start); then the exit code: 0 on return, 1 after an unhandled
    /// exception, <c>n</c> after <c>Environment.Exit(n)</c>, <c>-signal</c> when killed by a signal.</summary>
    /// <remarks>Python: Process.exitcode</remarks>
    public int? ExitCode => _child is { } c && c.Exited.IsCompletedSuccessfully ? c.Exited.Result : null;

    /// <summary>Starts the child. Returns this process, so <c>new IpcProcess(f) { Name = "w" }.Start()</c> reads well.</summary>
    /// <exception cref="InvalidOperationException">Already started, or this object stands for an existing process.</exception>
    /// <exception cref="IpcSerializationException">An argument cannot be sent to another process.</exception>
    /// <remarks>Python: Process.start()</remarks>
    public IpcProcess Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_isHandleOnly) throw new InvalidOperationException($"'{Name}' is an existing process (pid {_pid}); only a process created with a target can be started.");
        if (_child is not null) throw new InvalidOperationException($"Process '{Name}' was already started (pid {_pid}); a process can be started once.");
        if (ChildCommand.IsSelfContainedBinary && !FreezeSupportCalled)
            throw new InvalidOperationException("This is a NativeAOT or single-file app: call Multiprocessing.FreezeSupport() first thing in Main, so children can run their targets.");
        _identity ??= ProcessIdentity.NextChildIdentity();
        var spec = new LaunchSpec(Environment.ProcessId, Name, _daemon, _identity, _described!);
        var (program, argv, env) = ChildCommand.Build();
        var standby = StartMethod == IpcStartMethod.Standby && OperatingSystem.IsLinux() ? StandbyChild.TryTake(program, argv, env) : null;
        if (standby is not null)
        {
            byte[] withContext = (spec with { Context = (Environment.CurrentDirectory, env) }).Build(_args, _target!.Method.GetParameters());
            standby.SendSpec(withContext);
            _child = standby;
        }
        else
        {
            byte[] bytes = spec.Build(_args, _target!.Method.GetParameters());
            _child = OsLayer.Launcher.Spawn(new ChildLaunch(program, argv, env, bytes, _daemon));
        }
        _pid = _child.Pid;
        foreach (var arg in _args)
            if (arg is Transfer.ITransferable t) t.OnSentToChild(_child.Owner);
        lock (s_gate)
        {
            s_children.Add(this);
            if (!s_exitHookInstalled)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => OnParentExit();
                s_exitHookInstalled = true;
            }
        }
        return this;
    }

    internal static bool FreezeSupportCalled { get; set; }

    private static IpcStartMethod s_startMethod = IpcStartMethod.Spawn;

    /// <summary>How <see cref="Start()"/> gets a process (see <see cref="IpcStartMethod"/>).</summary>
    internal static IpcStartMethod StartMethod
    {
        get => s_startMethod;
        set
        {
            s_startMethod = value;
            if (value != IpcStartMethod.Standby) StandbyChild.Retire();
        }
    }

    /// <summary>The target as the child will look it up (tests replace it to simulate a moved assembly).</summary>
    internal TargetMethod? DescribedTarget { get => _described; set => _described = value; }

    /// <summary>The child's owner id (<see cref="ProcessLiveness"/>) once started, else 0.</summary>
    internal int Owner => _child?.Owner ?? 0;

    /// <summary>Waits for the process to exit.</summary>
    /// <param name="timeout">How long to wait; null waits forever.</param>
    /// <returns>True if the process has exited; false if the timeout elapsed first.</returns>
    /// <exception cref="InvalidOperationException">The process was never started.</exception>
    /// <exception cref="IpcChildStartException">The child could not run its target (the message says why).</exception>
    /// <remarks>Python: Process.join(timeout)</remarks>
    public bool Join(TimeSpan? timeout = null)
    {
        var task = ExitTask("Join");
        if (_isHandleOnly) return JoinForeign(timeout);
        bool done = timeout is null ? WaitTask(task) : task.Wait(CheckTimeout(timeout.Value));
        if (done) ThrowIfStartFailed();
        return done;
    }

    /// <summary>Completes when the process has exited.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="IpcChildStartException">The child could not run its target.</exception>
    public async Task WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        var task = ExitTask("WaitForExitAsync");
        if (_isHandleOnly)
        {
            while (OsLayer.Launcher.IsRunning(_pid)) await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            return;
        }
        await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfStartFailed();
    }

    /// <summary>Asks the process to stop: SIGTERM on Unix, TerminateProcess on Windows. The exit code becomes -15 (SIGTERM).</summary>
    /// <remarks>Python: Process.terminate()</remarks>
    public void Terminate() => Child("Terminate").Stop(force: false);

    /// <summary>Kills the process: SIGKILL on Unix, TerminateProcess on Windows. The exit code becomes -9.</summary>
    /// <remarks>Python: Process.kill()</remarks>
    public void Kill() => Child("Kill").Stop(force: true);

    /// <summary>Releases the OS handles of a process that has exited. A process still running keeps running
    /// (and is still waited for, or killed if a daemon, when this process exits).</summary>
    /// <remarks>Python: Process.close() (which refuses a running process; here Dispose never throws)</remarks>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_child is { } c && c.Exited.IsCompleted)
        {
            c.Dispose();
            lock (s_gate) s_children.Remove(this);
        }
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"<IpcProcess name='{Name}' {(_pid == 0 ? "initial" : IsAlive ? $"pid={_pid} started" : $"pid={_pid} exitcode={ExitCode}")}{(_daemon ? " daemon" : "")}>";

    internal static IpcProcess Current => s_current.Value;

    internal static IpcProcess? Parent => s_parent.Value;

    internal static IpcProcess[] LiveChildren()
    {
        lock (s_gate)
        {
            s_children.RemoveAll(c => !c.IsAlive && c._disposed);
            return s_children.Where(c => c.IsAlive).ToArray();
        }
    }

    private Task<int> ExitTask(string operation)
    {
        if (_isCurrent) throw new InvalidOperationException($"{operation}: a process cannot wait for itself.");
        if (_isHandleOnly) return Task.FromResult(0);
        return Child(operation).Exited;
    }

    private IChildProcess Child(string operation)
    {
        if (_isHandleOnly) throw new InvalidOperationException($"{operation} is only for child processes this process started.");
        return _child ?? throw new InvalidOperationException($"{operation} called on process '{Name}', which was never started; call Start() first.");
    }

    private bool JoinForeign(TimeSpan? timeout)
    {
        var deadline = timeout is null ? DateTime.MaxValue : DateTime.UtcNow + timeout.Value;
        while (OsLayer.Launcher.IsRunning(_pid))
        {
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }

    private static bool WaitTask(Task task)
    {
        task.Wait();
        return true;
    }

    private static TimeSpan CheckTimeout(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
        return timeout;
    }

    private void ThrowIfStartFailed()
    {
        var c = _child!;
        var report = c.StatusReport;
        if (report.Length > 0 && report[0] == ChildBootstrap.Failed)
            throw new IpcChildStartException($"Process '{Name}' (pid {_pid}) could not run its target: {System.Text.Encoding.UTF8.GetString(report.AsSpan(1))}");
        if (report.Length == 0 && c.Exited.Result > 0)
            throw new IpcChildStartException(
                $"Process '{Name}' (pid {_pid}) exited with code {c.Exited.Result} before it reached its target '{_described!.DisplayName}'; its stderr says why.");
    }

    private static void OnParentExit()
    {
        IpcProcess[] live;
        lock (s_gate) live = s_children.Where(c => c.IsAlive).ToArray();
        // Python's exit: terminate daemonic children, then join the rest.
        foreach (var c in live) if (c._daemon) c._child!.Stop(force: true);
        foreach (var c in live) c._child!.Exited.Wait();
    }
}
