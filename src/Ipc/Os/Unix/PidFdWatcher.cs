using System.Runtime.Versioning;
using NativeIpc.Platform.Unix;

namespace NativeIpc.Os.Unix;

/// <summary>One thread that polls every live child's pidfd and reaps each as it exits, so Join, IsAlive and
/// WaitForExitAsync all read one completed task and no one else's child is ever reaped.</summary>
[SupportedOSPlatform("linux")]
internal sealed class PidFdWatcher
{
    private readonly object _gate = new();
    private readonly List<UnixChildProcess> _children = [];
    private readonly SafeFd _wakeRead;
    private readonly SafeFd _wakeWrite;

    public PidFdWatcher()
    {
        (_wakeRead, _wakeWrite) = FileDescriptors.CreatePipe();
        FileDescriptors.SetNonBlocking(_wakeRead, true);
        new Thread(Loop) { IsBackground = true, Name = "NativeIpc exit watcher" }.Start();
    }

    public void Add(UnixChildProcess child)
    {
        lock (_gate) _children.Add(child);
        FileDescriptors.WriteAll(_wakeWrite, [1]);
    }

    private void Loop()
    {
        Span<byte> drain = stackalloc byte[64];
        while (true)
        {
            UnixChildProcess[] snapshot;
            lock (_gate) snapshot = [.. _children];
            var fds = new int[snapshot.Length + 1];
            var ready = new bool[fds.Length];
            fds[0] = _wakeRead.Fd;
            for (int i = 0; i < snapshot.Length; i++) fds[i + 1] = snapshot[i].PidFdNumber;
            FileDescriptors.PollReadable(fds, ready, -1);
            if (ready[0]) while (FileDescriptors.Read(_wakeRead, drain) > 0) { }
            for (int i = 0; i < snapshot.Length; i++)
            {
                if (!ready[i + 1]) continue;
                if (snapshot[i].TryComplete())
                    lock (_gate) _children.Remove(snapshot[i]);
            }
        }
    }
}
