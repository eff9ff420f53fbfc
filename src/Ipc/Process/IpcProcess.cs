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
/// <c>n</c> after <c>Environment.Exit(n)</c>, <c>-signal</c> when killed by a signal. After the target returns the
/// child waits for the foreground threads it started (as Python waits for non-daemon threads).</para>
/// <para>When the parent exits normally, it kills its daemon children and waits for the others, as Python does.
/// Daemon children also die when the parent is killed (SIGKILL included).</para>
/// <para><see cref="Multiprocessing.CurrentProcess"/> and <see cref="Multiprocessing.ParentProcess"/> are also
/// <see cref="IpcProcess"/> objects (as in Python); they cannot be started, signalled or joined by themselves.</para>
/// </remarks>
/// <example><code>
/// using var p = IpcProcess.Start(Worker.Run, "hello", 42);
/// p.Join();
/// Console.WriteLine(p.ExitCode); // 0
/// </code></example>
public sealed partial class IpcProcess : IDisposable
{
    private static readonly Lazy<IpcProcess> s_current = new(() => new IpcProcess(new CurrentRole()));
    private static readonly Lazy<IpcProcess?> s_parent = new(() => ProcessIdentity.Parent is { } p ? new IpcProcess(p) : null);

    private readonly ProcessRole _role;

    /// <summary>Creates a child process object for <paramref name="target"/>; call <see cref="Start()"/> to run it.
    /// Prefer the typed <see cref="Create(Action)"/>/<see cref="Start(Action)"/> overloads, which check argument types at compile time.</summary>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="args">The target's arguments, in order.</param>
    /// <exception cref="ArgumentException">The target is not a static method or capture-free lambda, or the arguments do not match its parameters.</exception>
    /// <remarks>Python: <c>Process(target=..., args=...)</c></remarks>
    public IpcProcess(Delegate target, params object?[] args) => _role = new ChildRole(this, target, args);

    private IpcProcess(ProcessRole role) => _role = role;

    /// <summary>The process's name, for display only. Defaults to <c>Process-N</c> (Python's naming);
    /// in a child, <see cref="Multiprocessing.CurrentProcess"/>.Name is the name its parent gave, and
    /// <see cref="Multiprocessing.ParentProcess"/>.Name the parent's own name ("MainProcess" in the program you started).</summary>
    /// <remarks>Python: Process.name</remarks>
    public string Name
    {
        get => _role.Name;
        set { ArgumentNullException.ThrowIfNull(value); _role.Name = value; }
    }

    /// <summary>A daemon child is killed when its parent exits, however it exits; a non-daemon child is waited for
    /// at normal exit. Set before <see cref="Start()"/>.</summary>
    /// <exception cref="InvalidOperationException">Set after start, or on the current or parent process.</exception>
    /// <remarks>Python: Process.daemon</remarks>
    public bool Daemon
    {
        get => _role.Daemon;
        set => _role.Daemon = value;
    }

    /// <summary>The operating system's process id, or null before <see cref="Start()"/>.</summary>
    /// <remarks>Python: Process.pid</remarks>
    public int? Pid => _role.Pid;

    /// <summary>True from <see cref="Start()"/> until the process has exited.</summary>
    /// <exception cref="ObjectDisposedException">This object was disposed (Python raises ValueError after close()).</exception>
    /// <remarks>Python: Process.is_alive()</remarks>
    public bool IsAlive => _role.IsAlive;

    /// <summary>Null while running (or before start); then the exit code: 0 on return, 1 after an unhandled
    /// exception, <c>n</c> after <c>Environment.Exit(n)</c>, <c>-signal</c> when killed by a signal.
    /// Still readable after <see cref="Dispose"/>.</summary>
    /// <remarks>Windows, which has no signals: <see cref="Kill"/> gives -9 and <see cref="Terminate"/> -15 as on Linux
    /// (NativeIpc ends the child with a code it reads back as that signal); a child ended by another program has the
    /// code that program chose (.NET's Process.Kill: -1, <c>taskkill /F</c>: 1); a crash of the runtime outside the
    /// target (an unhandled exception on another thread) is its NTSTATUS or HRESULT, e.g. 0xE0434352 (-532462766),
    /// where Linux gives -6 (SIGABRT); a runtime that fails before the target makes <see cref="Join(TimeSpan?, CancellationToken)"/>
    /// throw <see cref="IpcChildStartException"/> on both. Python: Process.exitcode</remarks>
    public int? ExitCode => _role.ExitCode;

    /// <summary>Starts the child. Returns this process, so <c>new IpcProcess(f) { Name = "w" }.Start()</c> reads well.</summary>
    /// <exception cref="InvalidOperationException">Already started, or this object stands for an existing process.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    /// <exception cref="IpcSerializationException">An argument cannot be sent to another process.</exception>
    /// <remarks>Python: Process.start()</remarks>
    public IpcProcess Start() { try { return _role.Start(); } catch (Exception e) when (IpcMetrics.StartFailed(e)) { throw; } }

    internal static bool FreezeSupportCalled { get; set; }

    private static IpcStartMethod s_startMethod = IpcStartMethod.Spawn;

    /// <summary>How <see cref="Start()"/> gets a process (see <see cref="IpcStartMethod"/>).</summary>
    internal static IpcStartMethod StartMethod
    {
        get => s_startMethod;
        set
        {
            // Said, not silently downgraded: a caller who asked for warm starts learns it will not get them.
            if (value == IpcStartMethod.Standby && !OperatingSystem.IsLinux())
                throw new PlatformNotSupportedException("IpcStartMethod.Standby is supported on Linux only; use IpcStartMethod.Spawn here.");
            s_startMethod = value;
            StandbyPool.Enable(value == IpcStartMethod.Standby);
        }
    }

    /// <summary>The target as the child will look it up (tests replace it to simulate a moved assembly).</summary>
    internal TargetMethod? DescribedTarget
    {
        get => (_role as ChildRole)?.Described;
        set => ((ChildRole)_role).Described = value!;
    }

    /// <summary>The child's owner id (<see cref="ProcessLiveness"/>) once started, else 0.</summary>
    internal int Owner => (_role as ChildRole)?.LivenessOwner ?? 0;

    /// <summary>Waits for the process to exit.</summary>
    /// <param name="timeout">How long to wait; null, <see cref="Timeout.InfiniteTimeSpan"/> or any span of
    /// <see cref="int.MaxValue"/> ms or more (e.g. <see cref="TimeSpan.MaxValue"/>) waits forever.</param>
    /// <param name="cancellationToken">Stops the wait (the process keeps running).</param>
    /// <returns>True if the process has exited; false if the timeout elapsed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="InvalidOperationException">The process was never started, or it is the current process.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    /// <exception cref="IpcChildStartException">The child could not run its target (the message says why).</exception>
    /// <remarks>Python: Process.join(timeout)</remarks>
    public bool Join(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = NormalizeTimeout(timeout);
        if (!cancellationToken.CanBeCanceled) return _role.Join(limit);
        cancellationToken.ThrowIfCancellationRequested();
        var exited = _role.WaitForExitAsync(cancellationToken);
        try
        {
            if (!exited.Wait(limit, cancellationToken)) return false;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return true;
    }

    /// <summary>Completes when the process has exited.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    /// <exception cref="IpcChildStartException">The child could not run its target.</exception>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _role.WaitForExitAsync(cancellationToken);

    /// <summary>Completes when the process has exited: <see cref="WaitForExitAsync"/> under Python's name.</summary>
    /// <param name="cancellationToken">Stops the wait (the process keeps running).</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="InvalidOperationException">The process was never started, or it is the current process.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    /// <exception cref="IpcChildStartException">The child could not run its target.</exception>
    /// <remarks>Python: Process.join() (awaitable)</remarks>
    public Task JoinAsync(CancellationToken cancellationToken = default) => WaitForExitAsync(cancellationToken);

    /// <summary>Asks the process to stop: SIGTERM on Unix, TerminateProcess on Windows. The exit code becomes -15 (SIGTERM).</summary>
    /// <exception cref="InvalidOperationException">The process was never started, or this process did not start it.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    /// <remarks>Python: Process.terminate()</remarks>
    public void Terminate() => _role.Send(StopSignal.Terminate);

    /// <summary>Kills the process: SIGKILL on Unix, TerminateProcess on Windows. The exit code becomes -9.</summary>
    /// <exception cref="InvalidOperationException">The process was never started, or this process did not start it.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    /// <remarks>Python: Process.kill()</remarks>
    public void Kill() => _role.Send(StopSignal.Kill);

    /// <summary>Interrupts the process, as Ctrl+C would: sends SIGINT (Unix). A .NET child that does not handle it
    /// (<see cref="Console.CancelKeyPress"/>, <see cref="System.Runtime.InteropServices.PosixSignalRegistration"/>)
    /// dies of it and the exit code becomes -2 (-SIGINT); one that handles it decides for itself. Nothing happens if
    /// the child has exited already.</summary>
    /// <exception cref="InvalidOperationException">The process was never started, or this process did not start it.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    /// <exception cref="PlatformNotSupportedException">On Windows: a console control event reaches only a child in
    /// its own process group on the same console, which NativeIpc children are not.</exception>
    /// <remarks>Python: <c>os.kill(p.pid, signal.SIGINT)</c> (KeyboardInterrupt in a Python child, which then exits with 1).</remarks>
    public void Interrupt() => _role.Send(StopSignal.Interrupt);

    /// <summary>Releases the OS handles of the process: now if it has exited, otherwise as soon as it exits. A process
    /// still running keeps running (and is still waited for, or killed if a daemon, when this process exits).
    /// Afterwards <see cref="IsAlive"/>, <see cref="Join"/>, <see cref="Start()"/> and the signals throw
    /// <see cref="ObjectDisposedException"/>; <see cref="Name"/>, <see cref="Pid"/> and <see cref="ExitCode"/> stay readable.
    /// Does nothing for <see cref="Multiprocessing.CurrentProcess"/> and <see cref="Multiprocessing.ParentProcess"/>.</summary>
    /// <remarks>Python: Process.close() (which refuses a running process; here Dispose never throws)</remarks>
    public void Dispose() => _role.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"<IpcProcess name='{Name}' {_role.Describe()}>";

    internal static IpcProcess Current => s_current.Value;

    internal static IpcProcess? Parent => s_parent.Value;

    internal static IpcProcess[] LiveChildren() => ChildRegistry.Running();

    /// <summary>Null, <see cref="Timeout.InfiniteTimeSpan"/> and spans too long for a wait (>= int.MaxValue ms) mean
    /// no limit; other negative spans are an error.</summary>
    private static TimeSpan NormalizeTimeout(TimeSpan? timeout)
    {
        if (timeout is not { } t || t == Timeout.InfiniteTimeSpan || t.TotalMilliseconds >= int.MaxValue) return Timeout.InfiniteTimeSpan;
        if (t < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), t, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
        return t;
    }
}
