using System.Runtime.Versioning;
using NativeIpc.Platform.Unix;

namespace NativeIpc.Os.Unix;

/// <summary>A spawned child: its pidfd (signals and exit without pid-reuse races) and the read end of its status pipe.</summary>
[SupportedOSPlatform("linux")]
internal sealed class UnixChildProcess : IChildProcess
{
    private readonly SafeFd _pidfd;
    private readonly SafeFd _status;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _report = [];

    private SafeFd? _spec;

    public UnixChildProcess(int pid, int owner, SafeFd pidfd, SafeFd status, SafeFd spec, PidFdWatcher watcher)
    {
        Pid = pid;
        Owner = owner;
        _pidfd = pidfd;
        _status = status;
        _spec = spec;
        FileDescriptors.SetNonBlocking(_status, true);
        watcher.Add(this);
    }

    public int Pid { get; }

    public int Owner { get; }

    public Task<int> Exited => _exited.Task;

    public byte[] StatusReport => _report;

    internal int PidFdNumber => _pidfd.Fd;

    /// <summary>Called by the watcher when the pidfd turns readable: reaps and completes.</summary>
    internal bool TryComplete()
    {
        if (!PidFd.TryReap(_pidfd, out var status)) return false;
        if (StartTrace.Enabled) StartTrace.Mark($"parent: reaped pid {Pid}");
        var ms = new MemoryStream();
        Span<byte> buf = stackalloc byte[4096];
        lock (_statusGate)
        {
            int n;
            while ((n = FileDescriptors.Read(_status, buf)) > 0) ms.Write(buf[..n]);
            _status.Dispose();
        }
        _report = ms.ToArray();
        // A standby's "waiting" notice precedes the report when nobody read it earlier.
        if (!_waiting && _report.Length > 0 && _report[0] == IProcessLauncher.WaitingNotice) _report = _report[1..];
        _exited.TrySetResult(status.PythonExitCode);
        // Reaped: its liveness record goes with it. After the result, so Join does not wait for the file system; the
        // record of a dead owner reads dead already (its lock went with the process).
        OsLayer.Liveness.Forget(Owner);
        if (Volatile.Read(ref _disposed)) _pidfd.Dispose();
        return true;
    }

    private readonly object _statusGate = new();
    private bool _waiting;

    public bool IsWaitingForSpec()
    {
        if (Volatile.Read(ref _waiting)) return true;
        lock (_statusGate)
        {
            if (_waiting || _status.IsClosed) return _waiting;
            Span<byte> b = stackalloc byte[1];
            // Non-blocking: the notice is the first byte a standby writes, and nothing follows before its spec.
            if (FileDescriptors.Read(_status, b) == 1 && b[0] == IProcessLauncher.WaitingNotice) Volatile.Write(ref _waiting, true);
            return _waiting;
        }
    }

    private const int NoticeSliceMs = 50;

    public bool WaitUntilWaitingForSpec(TimeSpan timeout)
    {
        var deadline = Deadline.From(timeout);
        Span<bool> ready = stackalloc bool[1];
        while (!IsWaitingForSpec())
        {
            if (_exited.Task.IsCompleted || deadline.HasPassed) return false;
            try
            {
                // The lease keeps the descriptor (and its number) ours while we poll, should the reaper close it. In
                // slices: another thread asking IsWaitingForSpec may take the notice from under this poll.
                using var lease = _status.Use();
                FileDescriptors.PollReadable([lease.Fd], ready, deadline.SliceMs(NoticeSliceMs));
            }
            catch (ObjectDisposedException) { return false; } // reaped meanwhile
            // Readable but no notice: end of file, the standby is gone.
            if (ready[0] && !IsWaitingForSpec()) return false;
        }
        return true;
    }

    public void SendSpec(byte[] spec)
    {
        var fd = Interlocked.Exchange(ref _spec, null) ?? throw new InvalidOperationException("The launch spec was sent already.");
        // Pipe capacity (64 KiB) would block a large spec until the child reads it; write off-thread then.
        if (spec.Length <= 60_000) Write(fd, spec);
        else _ = Task.Run(() => Write(fd, spec));

        static void Write(SafeFd fd, byte[] spec)
        {
            using (fd)
            {
                try { FileDescriptors.WriteAll(fd, spec); }
                catch (PosixException) { /* the child died before reading: its exit status tells the story */ }
            }
        }
    }

    public void Stop(bool force)
    {
        if (_exited.Task.IsCompleted) return;
        PidFd.SendSignal(_pidfd, force ? Signals.SIGKILL : Signals.SIGTERM);
    }

    public void Interrupt()
    {
        if (_exited.Task.IsCompleted) return;
        PidFd.SendSignal(_pidfd, Signals.SIGINT);
    }

    private bool _disposed;

    public void Dispose()
    {
        // The pidfd stays open until the watcher reaped the child (it closes it then), or a later kill could hit a reused pid.
        Volatile.Write(ref _disposed, true);
        if (_exited.Task.IsCompleted) _pidfd.Dispose();
    }
}
