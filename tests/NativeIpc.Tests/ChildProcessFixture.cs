using NUnit.Framework;

namespace NativeIpc.Tests;

/// <summary>Base for tests that start child processes: every child a test starts is killed and reaped in
/// teardown, every wait has a timeout, and no test may leave a /dev/shm entry of ours behind.</summary>
public abstract class ChildProcessFixture
{
    /// <summary>Generous bound for any wait on a child: start-up of a .NET child is ~50-150 ms here.</summary>
    protected static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(30);

    private readonly List<IpcProcess> _started = [];
    private readonly List<System.Diagnostics.Process> _external = [];
    private HashSet<string> _shmBefore = [];

    /// <summary>Starts and tracks a child for teardown.</summary>
    protected IpcProcess Track(IpcProcess p)
    {
        _started.Add(p);
        return p;
    }

    /// <summary>Tracks an OS process started some other way (e.g. a helper program) for teardown.</summary>
    protected System.Diagnostics.Process Track(System.Diagnostics.Process p)
    {
        _external.Add(p);
        return p;
    }

    /// <summary>Joins with the standard timeout and fails the test (instead of hanging) if the child does not exit.</summary>
    protected static void JoinOrFail(IpcProcess p)
    {
        if (!p.Join(ChildTimeout)) Assert.Fail($"{p} did not exit within {ChildTimeout.TotalSeconds} s");
    }

    /// <summary>Names of NativeIpc entries in /dev/shm right now.</summary>
    protected static HashSet<string> OurShmEntries()
        => Directory.Exists("/dev/shm")
            ? Directory.GetFiles("/dev/shm").Select(f => Path.GetFileName(f)).Where(n => n.StartsWith("nipc", StringComparison.Ordinal)).ToHashSet()
            : [];

    /// <summary>Polls <paramref name="condition"/> until true or the timeout; returns the last value.</summary>
    protected static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }

    private static int SafeId(System.Diagnostics.Process p)
    {
        try { return p.Id; } catch (InvalidOperationException) { return 0; }
    }

    [SetUp]
    public void RecordShm() => _shmBefore = OurShmEntries();

    [TearDown]
    public void KillChildren()
    {
        var pids = _started.Select(p => p.Pid ?? 0).Concat(_external.Select(SafeId)).Append(Environment.ProcessId).ToHashSet();
        foreach (var p in _started)
        {
            try
            {
                if (p.Pid is not null && p.IsAlive) { p.Kill(); p.Join(ChildTimeout); }
            }
            catch (IpcException) { }
            catch (ObjectDisposedException) { } // the test disposed it: the child is released when it exits
            p.Dispose();
        }
        _started.Clear();
        foreach (var p in _external)
        {
            try { if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(30_000); } } catch (InvalidOperationException) { }
            p.Dispose();
        }
        _external.Clear();
        // Only entries this test's processes made count: other programs on the machine may use NativeIpc too.
        IEnumerable<string> Leaked() => OurShmEntries().Except(_shmBefore).Where(n => SegmentNames.CreatorPid(n) is not int pid || pids.Contains(pid));
        if (Leaked().Any() && !Eventually(() => !Leaked().Any(), TimeSpan.FromSeconds(5)))
            Assert.Fail("The test left /dev/shm entries behind: " + string.Join(", ", Leaked()));
    }
}
