namespace NativeIpc;

/// <summary>The pool worker running a task exited before it finished (killed, crashed, or the function called
/// <see cref="Environment.Exit"/>). Only that task fails; the pool starts a replacement worker.</summary>
/// <remarks>Python has no equivalent: its Pool hangs on a task whose worker died (concurrent.futures raises BrokenProcessPool).</remarks>
public sealed class IpcWorkerLostException : IpcException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pid">The worker's process id.</param>
    /// <param name="exitCode">Its exit code, Python style (minus the signal number when a signal killed it).</param>
    public IpcWorkerLostException(int pid, int exitCode)
        : base($"The pool worker (pid {pid}) running this task exited with code {exitCode}" +
               (exitCode < 0 ? $" (killed by signal {-exitCode})" : "") + " before the task finished.")
    {
        Pid = pid;
        ExitCode = exitCode;
    }

    /// <summary>The lost worker's process id.</summary>
    public int Pid { get; }

    /// <summary>The lost worker's exit code: minus the signal number when a signal killed it (-9 for SIGKILL).</summary>
    public int ExitCode { get; }
}
