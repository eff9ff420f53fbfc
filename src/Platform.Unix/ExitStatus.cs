namespace NativeIpc.Platform.Unix;

/// <summary>How a child ended: an exit code, or the signal that killed it.</summary>
/// <param name="Code">The exit code when <paramref name="Signal"/> is 0.</param>
/// <param name="Signal">The terminating signal, or 0 when the process exited.</param>
internal readonly record struct ExitStatus(int Code, int Signal)
{
    /// <summary>Python's convention: the exit code, or minus the signal number.</summary>
    public int PythonExitCode => Signal != 0 ? -Signal : Code;
}
