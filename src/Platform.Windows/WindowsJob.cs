using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>A job object whose processes are all killed when its last handle closes, so children die with the
/// parent even when the parent is killed.</summary>
internal sealed unsafe class WindowsJob : IDisposable
{
    private WindowsJob(SafeWin32Handle handle) => Handle = handle;

    /// <summary>The job handle. It is not inheritable: a child holding it would keep the job alive.</summary>
    public SafeWin32Handle Handle { get; }

    /// <summary>Creates a job (CreateJobObjectW) with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE.</summary>
    /// <param name="name">Optional object name, e.g. <c>Local\...</c>; null for an anonymous job.</param>
    public static WindowsJob CreateKillOnClose(string? name = null)
    {
        var handle = Kernel32.CreateJobObjectW(null, name);
        WindowsIoException.ThrowIfInvalid(handle, "CreateJobObjectW", name);
        var info = default(Kernel32.JOBOBJECT_EXTENDED_LIMIT_INFORMATION);
        info.BasicLimitInformation.LimitFlags = Kernel32.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        if (!Kernel32.SetInformationJobObject(handle, Kernel32.JobObjectExtendedLimitInformation, &info, (uint)sizeof(Kernel32.JOBOBJECT_EXTENDED_LIMIT_INFORMATION)))
        {
            var error = WindowsIoException.FromLastError("SetInformationJobObject");
            handle.Dispose();
            throw error;
        }
        return new WindowsJob(handle);
    }

    /// <summary>Puts <paramref name="process"/> in the job (AssignProcessToJobObject). Processes it starts later
    /// join too; spawn suspended and resume after this call so none is started before.</summary>
    public void Assign(SafeProcessHandle process)
    {
        if (!Kernel32.AssignProcessToJobObject(Handle, process))
            throw WindowsIoException.FromLastError("AssignProcessToJobObject");
    }

    /// <summary>Closes the handle; when no other handle remains, every process in the job is killed.</summary>
    public void Dispose() => Handle.Dispose();
}
