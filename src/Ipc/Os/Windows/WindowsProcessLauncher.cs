using System.Globalization;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows;

namespace NativeIpc.Os.Windows;

/// <summary>Windows launcher: CreateProcessW inheriting exactly two pipe handles (spec in, status out), daemon
/// children in a kill-on-close job object held only by this process (so they die with it, however it dies).
/// Compiles everywhere; runs only on Windows (not yet exercised by CI, which is Linux).</summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsProcessLauncher : IProcessLauncher
{
    // TerminateProcess exit codes that stand for a signal, so ExitCode reads -15/-9 as on Unix and in Python.
    private const int SignalExitBase = 0x4E495000;
    private readonly Lazy<WindowsJob> _daemonJob = new(() => WindowsJob.CreateKillOnClose());

    public IChildProcess Spawn(ChildLaunch launch)
    {
        var (specRead, specWrite) = WindowsPipe.Create(inheritable: false);
        var (statusRead, statusWrite) = WindowsPipe.Create(inheritable: false);
        var owner = OsLayer.Liveness.Reserve();
        try
        {
            WindowsHandle.SetInheritable(owner.Handle, true);
            WindowsHandle.SetInheritable(specRead, true);
            WindowsHandle.SetInheritable(statusWrite, true);
            var env = new Dictionary<string, string>(launch.Environment, StringComparer.OrdinalIgnoreCase)
            {
                [IProcessLauncher.ChannelVariable] = string.Create(CultureInfo.InvariantCulture,
                    $"{specRead.DangerousGetHandle()},{statusWrite.DangerousGetHandle()}"),
                [ProcessLiveness.InheritedVariable] = string.Create(CultureInfo.InvariantCulture,
                    $"{owner.Owner},{owner.Handle.DangerousGetHandle()}"),
            };
            var spawned = WindowsProcess.Spawn(launch.Program, launch.Argv, env, [specRead, statusWrite, owner.Handle], null, null, null, suspended: launch.Daemon);
            if (launch.Daemon)
            {
                _daemonJob.Value.Assign(spawned.Handle);
                spawned.Resume();
            }
            specRead.Dispose();
            statusWrite.Dispose();
            owner.Dispose();
            var child = new Child(spawned, owner.Owner, statusRead, specWrite);
            if (launch.Spec is { } spec) child.SendSpec(spec);
            return child;
        }
        catch
        {
            specRead.Dispose(); specWrite.Dispose(); statusRead.Dispose(); statusWrite.Dispose();
            owner.Dispose();
            throw;
        }
    }

    public (byte[] Spec, Action<byte[]> ReportStatus) OpenChildChannel(string channel)
    {
        var parts = channel.Split(',');
        var spec = new SafeFileHandle(nint.Parse(parts[0], CultureInfo.InvariantCulture), ownsHandle: true);
        var status = new SafeFileHandle(nint.Parse(parts[1], CultureInfo.InvariantCulture), ownsHandle: true);
        var ms = new MemoryStream();
        using (var s = new FileStream(spec, FileAccess.Read)) s.CopyTo(ms);
        return (ms.ToArray(), report =>
        {
            try { using var s = new FileStream(status, FileAccess.Write); s.Write(report); }
            catch (IOException) { /* parent gone */ }
        });
    }

    public bool BindToParentLifetime(int parentPid) => IsRunning(parentPid); // the job object does the binding

    public bool IsRunning(int pid)
    {
        try
        {
            using var h = WindowsProcess.Open(pid);
            return !WindowsProcess.WaitForExit(h, 0);
        }
        catch (WindowsIoException) { return false; }
    }

    private sealed class Child : IChildProcess
    {
        private readonly SpawnedProcess _process;
        private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private byte[] _report = [];

        private SafeFileHandle? _spec;

        public Child(SpawnedProcess process, int owner, SafeFileHandle status, SafeFileHandle spec)
        {
            _process = process;
            Owner = owner;
            _spec = spec;
            // The status pipe reaches end-of-file when the child exits: read it, then collect the exit code.
            _ = Task.Run(() =>
            {
                var ms = new MemoryStream();
                try { using var s = new FileStream(status, FileAccess.Read); s.CopyTo(ms); } catch (IOException) { }
                _report = ms.ToArray();
                WindowsProcess.WaitForExit(_process.Handle, -1);
                WindowsProcess.TryGetExitCode(_process.Handle, out int code);
                int sig = code - SignalExitBase;
                _exited.TrySetResult(sig is > 0 and < 64 ? -sig : code);
            });
        }

        public void SendSpec(byte[] spec)
        {
            var h = Interlocked.Exchange(ref _spec, null) ?? throw new InvalidOperationException("The launch spec was sent already.");
            _ = Task.Run(() =>
            {
                try { using var s = new FileStream(h, FileAccess.Write); s.Write(spec); }
                catch (IOException) { /* the child died before reading */ }
            });
        }

        public int Pid => _process.Pid;
        public int Owner { get; }
        public Task<int> Exited => _exited.Task;
        public byte[] StatusReport => _report;

        public void Stop(bool force) => WindowsProcess.Terminate(_process.Handle, SignalExitBase + (force ? 9 : 15));

        public void Interrupt()
            => throw new PlatformNotSupportedException("Interrupt (Ctrl+C) is not supported for NativeIpc children on Windows: a console control event reaches only a child in its own process group.");

        public void Dispose()
        {
            if (_exited.Task.IsCompleted) _process.Dispose();
        }
    }
}
