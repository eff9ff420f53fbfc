using System.Collections.Concurrent;
using System.Runtime.Versioning;
using NativeIpc.Platform.Unix;

namespace NativeIpc.Os.Unix;

/// <summary>Linux launcher: posix_spawn from one long-lived thread (so PR_SET_PDEATHSIG, which follows the
/// creating thread, fires only when the parent process dies), a pipe carrying the spec (fd 3) and a pipe
/// carrying the status report back (fd 4), pidfds to watch exits.</summary>
[SupportedOSPlatform("linux")]
internal sealed class UnixProcessLauncher : IProcessLauncher
{
    private const int SpecFd = 3;
    private const int StatusFd = 4;
    private const int LivenessFd = 5;

    private readonly Lazy<PidFdWatcher> _watcher = new(() => new PidFdWatcher());
    private readonly object _startGate = new();
    private BlockingCollection<(ChildLaunch Launch, TaskCompletionSource<IChildProcess> Done)>? _requests;

    public IChildProcess Spawn(ChildLaunch launch)
    {
        var done = new TaskCompletionSource<IChildProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests().Add((launch, done));
        return done.Task.GetAwaiter().GetResult();
    }

    /// <summary>The spawner's queue, and the spawner thread, made at the first spawn rather than with the launcher: a
    /// child that starts no process of its own (most) pays neither the thread nor the queue's JIT before its target.</summary>
    private BlockingCollection<(ChildLaunch Launch, TaskCompletionSource<IChildProcess> Done)> Requests()
    {
        if (Volatile.Read(ref _requests) is { } requests) return requests;
        lock (_startGate)
        {
            if (_requests is null)
            {
                var queue = new BlockingCollection<(ChildLaunch Launch, TaskCompletionSource<IChildProcess> Done)>();
                new Thread(() => SpawnLoop(queue)) { IsBackground = true, Name = "NativeIpc spawner" }.Start();
                Volatile.Write(ref _requests, queue);
            }
            return _requests;
        }
    }

    private void SpawnLoop(BlockingCollection<(ChildLaunch Launch, TaskCompletionSource<IChildProcess> Done)> requests)
    {
        foreach (var (launch, done) in requests.GetConsumingEnumerable())
        {
            try { done.SetResult(SpawnNow(launch)); }
            catch (Exception e) { done.SetException(e); }
        }
    }

    private IChildProcess SpawnNow(ChildLaunch launch)
    {
        var (specRead, specWrite) = FileDescriptors.CreatePipe();
        var (statusRead, statusWrite) = FileDescriptors.CreatePipe();
        var owner = OsLayer.Liveness.Reserve();
        try
        {
            var env = new List<string>(launch.Environment.Count + 1);
            foreach (var (k, v) in launch.Environment)
                if (k is not (IProcessLauncher.ChannelVariable or ProcessLiveness.InheritedVariable or IProcessLauncher.StandbyVariable)) env.Add($"{k}={v}");
            env.Add($"{IProcessLauncher.ChannelVariable}={SpecFd},{StatusFd}");
            env.Add($"{ProcessLiveness.InheritedVariable}={owner.Owner},{LivenessFd}");
            if (launch.Spec is null) env.Add($"{IProcessLauncher.StandbyVariable}=1");

            StartTrace.Mark("parent: posix_spawn");
            int pid = PosixSpawn.Spawn(launch.Program, launch.Argv, env,
                [(specRead, SpecFd), (statusWrite, StatusFd), ((SafeFd)owner.Handle, LivenessFd)]);
            specRead.Dispose();
            statusWrite.Dispose();
            owner.Dispose(); // the child holds the owner id's lock alone from now on
            if (StartTrace.Enabled) StartTrace.Mark($"parent: posix_spawn returned pid {pid}");
            var pidfd = PidFd.Open(pid); // the child cannot be reaped before this: only we wait for it
            var child = new UnixChildProcess(pid, owner.Owner, pidfd, statusRead, specWrite, _watcher.Value);
            if (launch.Spec is { } spec) child.SendSpec(spec);
            return child;
        }
        catch
        {
            specRead.Dispose(); specWrite.Dispose(); statusRead.Dispose(); statusWrite.Dispose();
            owner.Dispose();
            OsLayer.Liveness.Forget(owner.Owner);
            throw;
        }
    }

    public (byte[] Spec, Action<byte[]> ReportStatus) OpenChildChannel(string channel)
    {
        var (specFd, statusFd) = ParseChannel(channel);
        var spec = new SafeFd(specFd);
        var status = new SafeFd(statusFd);
        // posix_spawn's dup2 cleared FD_CLOEXEC: set it again so nothing we start before closing them inherits them.
        ChildInheritance.SetCloseOnExec(spec);
        ChildInheritance.SetCloseOnExec(status);
        byte[] bytes;
        using (spec) bytes = FileDescriptors.ReadToEnd(spec);
        return (bytes, report =>
        {
            using (status)
            {
                try { FileDescriptors.WriteAll(status, report); }
                catch (PosixException) { /* parent gone: nobody to tell */ }
            }
        });
    }

    public void AnnounceWaiting(string channel)
    {
        // The status descriptor stays open: the report follows on it after the spec.
        using var status = new SafeFd(ParseChannel(channel).Status, ownsHandle: false);
        try { FileDescriptors.WriteAll(status, [IProcessLauncher.WaitingNotice]); }
        catch (PosixException) { /* parent gone: the spec read sees end of file */ }
    }

    /// <summary>"spec,status" descriptor numbers, parsed without a culture (<see cref="DecimalDigits"/>).</summary>
    private static (int Spec, int Status) ParseChannel(string channel)
    {
        int comma = channel.IndexOf(',');
        if (comma < 0 || !DecimalDigits.TryParse(channel.AsSpan(0, comma), out int spec) || !DecimalDigits.TryParse(channel.AsSpan(comma + 1), out int status))
            throw new IpcChildStartException($"Malformed launch channel '{channel}'.");
        return (spec, status);
    }

    public bool BindToParentLifetime(int parentPid)
    {
        ProcessControl.SetParentDeathSignal(Signals.SIGKILL);
        // The parent may have died before prctl: then we were re-parented already.
        return ProcessControl.GetParentPid() == parentPid;
    }

    public bool IsRunning(int pid) => Signals.Exists(pid);
}
