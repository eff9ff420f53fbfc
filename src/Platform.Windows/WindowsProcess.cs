using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>CreateProcessW with an explicit inherited-handle list, and the calls to watch and end a process.</summary>
internal static unsafe class WindowsProcess
{
    /// <summary>The id of this process (GetCurrentProcessId).</summary>
    public static int CurrentProcessId => (int)Kernel32.GetCurrentProcessId();

    /// <summary>Starts <paramref name="applicationPath"/>. The child inherits only <paramref name="inheritedHandles"/>
    /// and its three standard handles (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), never the rest of this process's
    /// inheritable handles.</summary>
    /// <param name="applicationPath">Full path of the executable; no search is made.</param>
    /// <param name="argv">Full argument vector, argv[0] included; quoted by <see cref="WindowsCommandLine.Build"/>.</param>
    /// <param name="environment">The child's whole environment, or null to inherit this process's.</param>
    /// <param name="inheritedHandles">Handles the child receives at the same values; each must already be
    /// inheritable (<see cref="WindowsHandle.SetInheritable"/>).</param>
    /// <param name="stdin">The child's standard input, or null for this process's own.</param>
    /// <param name="stdout">The child's standard output, or null for this process's own.</param>
    /// <param name="stderr">The child's standard error, or null for this process's own.</param>
    /// <param name="suspended">CREATE_SUSPENDED: the child runs only after <see cref="SpawnedProcess.Resume"/>,
    /// e.g. once it is in a job.</param>
    /// <param name="workingDirectory">The child's current directory, or null for this process's.</param>
    public static SpawnedProcess Spawn(string applicationPath, IReadOnlyList<string> argv,
        IDictionary<string, string>? environment, IReadOnlyList<SafeHandle> inheritedHandles,
        SafeHandle? stdin, SafeHandle? stdout, SafeHandle? stderr, bool suspended, string? workingDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationPath);
        ArgumentNullException.ThrowIfNull(inheritedHandles);
        string commandLine = WindowsCommandLine.Build(argv);
        // CreateProcessW may write into the command line, so it gets its own NUL-terminated buffer.
        char[] cmd = new char[commandLine.Length + 1];
        commandLine.CopyTo(cmd);
        char[]? env = environment is null ? null : EnvironmentBlock.Build(environment);

        var refs = new List<SafeHandle>();
        var stdCopies = new SafeWin32Handle?[3];
        nint attributes = 0;
        bool attributesReady = false;
        try
        {
            var list = new List<nint>();
            foreach (var h in inheritedHandles)
            {
                ArgumentNullException.ThrowIfNull(h, nameof(inheritedHandles));
                if (!WindowsHandle.IsInheritable(h))
                    throw new ArgumentException("Every handle to pass must be inheritable.", nameof(inheritedHandles));
                bool added = false;
                h.DangerousAddRef(ref added);
                refs.Add(h);
                list.Add(h.DangerousGetHandle());
            }
            // Standard handles go through inheritable duplicates, so the caller's own handles keep their flags.
            // A concurrent CreateProcess with bInheritHandles and no list (e.g. System.Diagnostics.Process)
            // could catch such a duplicate for this instant; that is Windows' inheritance model, not ours to fix.
            stdCopies[0] = StdCopy(stdin, Kernel32.STD_INPUT_HANDLE);
            stdCopies[1] = StdCopy(stdout, Kernel32.STD_OUTPUT_HANDLE);
            stdCopies[2] = StdCopy(stderr, Kernel32.STD_ERROR_HANDLE);
            foreach (var c in stdCopies)
                if (c is not null) list.Add(c.DangerousGetHandle());
            // The same value twice makes UpdateProcThreadAttribute fail on some Windows versions.
            nint[] handles = list.Distinct().ToArray();

            Kernel32.STARTUPINFOEXW si = default;
            si.StartupInfo.cb = (uint)sizeof(Kernel32.STARTUPINFOW);
            si.StartupInfo.dwFlags = Kernel32.STARTF_USESTDHANDLES;
            si.StartupInfo.hStdInput = stdCopies[0]?.DangerousGetHandle() ?? 0;
            si.StartupInfo.hStdOutput = stdCopies[1]?.DangerousGetHandle() ?? 0;
            si.StartupInfo.hStdError = stdCopies[2]?.DangerousGetHandle() ?? 0;
            uint flags = Kernel32.CREATE_UNICODE_ENVIRONMENT | (suspended ? Kernel32.CREATE_SUSPENDED : 0);

            fixed (nint* pHandles = handles)
            fixed (char* pCmd = cmd)
            fixed (char* pEnv = env)
            {
                if (handles.Length > 0)
                {
                    nuint size = 0;
                    // The first call only reports the size it needs (and fails with ERROR_INSUFFICIENT_BUFFER).
                    Kernel32.InitializeProcThreadAttributeList(0, 1, 0, ref size);
                    attributes = (nint)NativeMemory.Alloc(size);
                    if (!Kernel32.InitializeProcThreadAttributeList(attributes, 1, 0, ref size))
                        throw WindowsIoException.FromLastError("InitializeProcThreadAttributeList");
                    attributesReady = true;
                    if (!Kernel32.UpdateProcThreadAttribute(attributes, 0, Kernel32.PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                            pHandles, (nuint)(handles.Length * sizeof(nint)), null, null))
                        throw WindowsIoException.FromLastError("UpdateProcThreadAttribute");
                    si.lpAttributeList = attributes;
                    si.StartupInfo.cb = (uint)sizeof(Kernel32.STARTUPINFOEXW);
                    flags |= Kernel32.EXTENDED_STARTUPINFO_PRESENT;
                }

                Kernel32.PROCESS_INFORMATION pi;
                if (!Kernel32.CreateProcessW(applicationPath, pCmd, null, null, handles.Length > 0, flags, pEnv,
                        workingDirectory, &si, &pi))
                    throw WindowsIoException.FromLastError("CreateProcessW", applicationPath);

                var thread = new SafeWin32Handle(pi.hThread, ownsHandle: true);
                if (!suspended)
                {
                    thread.Dispose();
                    thread = null;
                }
                return new SpawnedProcess(new SafeProcessHandle(pi.hProcess, ownsHandle: true), (int)pi.dwProcessId, thread);
            }
        }
        finally
        {
            if (attributesReady) Kernel32.DeleteProcThreadAttributeList(attributes);
            if (attributes != 0) NativeMemory.Free((void*)attributes);
            foreach (var h in refs) h.DangerousRelease();
            foreach (var c in stdCopies) c?.Dispose();
        }
    }

    // The caller's handle must duplicate; this process's own may be absent (a GUI parent has none), then the child has none.
    private static SafeWin32Handle? StdCopy(SafeHandle? given, int stdHandle)
    {
        if (given is not null) return WindowsHandle.Duplicate(given, inheritable: true);
        nint own = Kernel32.GetStdHandle(stdHandle);
        if (own == 0 || own == Kernel32.INVALID_HANDLE_VALUE) return null;
        using var borrowed = new SafeWin32Handle(own, ownsHandle: false);
        try { return WindowsHandle.Duplicate(borrowed, inheritable: true); }
        catch (WindowsIoException) { return null; }
    }

    /// <summary>Opens the process <paramref name="pid"/> with SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION
    /// (enough to wait and read the exit code), plus PROCESS_TERMINATE when asked.</summary>
    /// <exception cref="WindowsIoException">ErrorCode <see cref="WindowsIoException.ErrorInvalidParameter"/>
    /// when no such process exists.</exception>
    public static SafeProcessHandle Open(int pid, bool allowTerminate = false)
    {
        uint access = Kernel32.SYNCHRONIZE | Kernel32.PROCESS_QUERY_LIMITED_INFORMATION
            | (allowTerminate ? Kernel32.PROCESS_TERMINATE : 0);
        var handle = Kernel32.OpenProcess(access, false, (uint)pid);
        WindowsIoException.ThrowIfInvalid(handle, "OpenProcess", $"pid {pid}");
        return handle;
    }

    /// <summary>Ends the process with <paramref name="exitCode"/> (TerminateProcess). Returns false, rather than
    /// failing, when the process had already exited.</summary>
    public static bool Terminate(SafeProcessHandle process, int exitCode)
    {
        if (Kernel32.TerminateProcess(process, unchecked((uint)exitCode))) return true;
        var error = WindowsIoException.FromLastError("TerminateProcess");
        // An exited process reports ERROR_ACCESS_DENIED here.
        if (error.ErrorCode == WindowsIoException.ErrorAccessDenied && WindowsWait.WaitOne(process, 0) == WaitOutcome.Signaled)
            return false;
        throw error;
    }

    /// <summary>Reads the exit code (GetExitCodeProcess). Returns false while the process runs; a process
    /// that really exited with STILL_ACTIVE (259) is told apart by a zero-timeout wait.</summary>
    public static bool TryGetExitCode(SafeProcessHandle process, out int exitCode)
    {
        if (!Kernel32.GetExitCodeProcess(process, out uint code))
            throw WindowsIoException.FromLastError("GetExitCodeProcess");
        exitCode = unchecked((int)code);
        return code != Kernel32.STILL_ACTIVE || WindowsWait.WaitOne(process, 0) == WaitOutcome.Signaled;
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (-1: forever) for the process to exit.</summary>
    /// <returns>True if it exited, false on timeout.</returns>
    public static bool WaitForExit(SafeProcessHandle process, int timeoutMilliseconds)
        => WindowsWait.WaitOne(process, timeoutMilliseconds) == WaitOutcome.Signaled;

    /// <summary>The id of the process behind <paramref name="process"/> (GetProcessId).</summary>
    public static int GetProcessId(SafeProcessHandle process)
    {
        uint pid = Kernel32.GetProcessId(process);
        if (pid == 0) throw WindowsIoException.FromLastError("GetProcessId");
        return (int)pid;
    }
}
