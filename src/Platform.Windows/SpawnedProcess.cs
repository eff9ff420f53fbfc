using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>A process started by <see cref="WindowsProcess.Spawn"/>: its handle, its pid, and while it is
/// suspended, its main thread.</summary>
internal sealed class SpawnedProcess : IDisposable
{
    private SafeWin32Handle? _mainThread;

    internal SpawnedProcess(SafeProcessHandle handle, int pid, SafeWin32Handle? mainThread)
    {
        Handle = handle;
        Pid = pid;
        _mainThread = mainThread;
    }

    /// <summary>The process handle, with full access (terminate, wait, duplicate handles into it).</summary>
    public SafeProcessHandle Handle { get; }

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>True while the process was created suspended and <see cref="Resume"/> has not been called.</summary>
    public bool IsSuspended => _mainThread is not null;

    /// <summary>Lets a suspended process run (ResumeThread on its main thread) and closes the thread handle.</summary>
    public void Resume()
    {
        var thread = _mainThread ?? throw new InvalidOperationException("The process is not suspended.");
        if (Kernel32.ResumeThread(thread) == uint.MaxValue)
            throw WindowsIoException.FromLastError("ResumeThread");
        thread.Dispose();
        _mainThread = null;
    }

    /// <summary>Closes the handles. The process keeps running (a suspended one stays suspended).</summary>
    public void Dispose()
    {
        _mainThread?.Dispose();
        _mainThread = null;
        Handle.Dispose();
    }
}
