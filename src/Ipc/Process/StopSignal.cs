namespace NativeIpc.Process;

/// <summary>What <see cref="IpcProcess.Terminate"/>, <see cref="IpcProcess.Kill"/> and <see cref="IpcProcess.Interrupt"/> send.</summary>
internal enum StopSignal
{
    Terminate,
    Kill,
    Interrupt,
}
