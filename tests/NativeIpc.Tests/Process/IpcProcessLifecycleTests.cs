using NativeIpc.Process;
using NUnit.Framework;

namespace NativeIpc.Tests.Process;

/// <summary>How a child ends, what it passes on, and what an IpcProcess allows after Dispose (CPython's
/// <c>_test_multiprocessing</c> behaviour where it applies).</summary>
[TestFixture]
public class IpcProcessLifecycleTests : ChildProcessFixture
{
    private string _file = "";

    [SetUp]
    public void NewFile() => _file = TestPaths.TempFile();

    [TearDown]
    public void RemoveFile() => File.Delete(_file);

    [Test]
    public void Child_WaitsForForegroundThreadsItStarted_BeforeExiting()
    {
        var p = Track(IpcProcess.Start(ChildTargets.StartForegroundWriter, _file, 500));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(File.Exists(_file) ? File.ReadAllText(_file) : "(no file)", Is.EqualTo("written by a foreground thread"));
    }

    [Test]
    public void Child_DoesNotWaitForBackgroundThreads()
    {
        var p = Track(IpcProcess.Start(ChildTargets.StartBackgroundSleeper));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void Child_ThatClosedStdoutAndStderr_ExitsZero()
    {
        var p = Track(IpcProcess.Start(ChildTargets.CloseStandardStreams, _file));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllText(_file), Does.Contain("to the file"));
    }

    [Test]
    public void ParentProcess_InChild_HasTheParentsRealNameAndPid_AndIsAlive()
    {
        var p = Track(IpcProcess.Start(ChildTargets.WriteParent, _file));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllText(_file), Is.EqualTo($"MainProcess|{Environment.ProcessId}|True|False"));
    }

    [Test]
    public void CurrentProcess_CannotJoinOrSignalItself_AndDisposeLeavesItUsable()
    {
        var me = Multiprocessing.CurrentProcess;
        Assert.Throws<InvalidOperationException>(() => me.Join(TimeSpan.FromMilliseconds(1)));
        Assert.Throws<InvalidOperationException>(() => me.Terminate());
        Assert.Throws<InvalidOperationException>(() => me.Start());
        me.Dispose();
        Assert.That(me.IsAlive, Is.True);
        Assert.That(me.Pid, Is.EqualTo(Environment.ProcessId));
        Assert.That(Multiprocessing.CurrentProcess.Name, Is.EqualTo("MainProcess"));
    }

    [Test, Platform("Linux", Reason = "runs env through libc system()")]
    public void NativeGrandchild_DoesNotInheritTheChildChannelOrStartupHook()
    {
        var p = Track(IpcProcess.Start(ChildTargets.RunShell,
            $"env > '{_file}'"));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        string env = File.ReadAllText(_file);
        Assert.That(env, Does.Not.Contain("NATIVEIPC_CHILD=").And.Not.Contain("DOTNET_STARTUP_HOOKS="));
    }

    [Test, Platform("Linux", Reason = "runs a program through libc system() and timeout(1)")]
    public void DotNetProgramStartedThroughShellByChild_RunsItsOwnMain()
    {
        // With the channel variables leaked, the grandchild's runtime would take itself for a NativeIpc child and read
        // descriptor 3 (hang or crash); `timeout` bounds that.
        var p = Track(IpcProcess.Start(ChildTargets.RunShell,
            $"timeout 30 '{TestPaths.TestApp}' print grandchild-ran > '{_file}' 2>&1"));
        JoinOrFail(p);
        Assert.That(File.Exists(_file) ? File.ReadAllText(_file) : "(no file)", Does.Contain("grandchild-ran"));
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void Dispose_WhileRunning_ThenAgainAfterExit_ReleasesTheChildHandle()
    {
        var before = PidFds();
        var p = Track(IpcProcess.Start(ChildTargets.Sleep, 300));
        var opened = PidFds().Except(before).ToArray();
        Assume.That(opened, Is.Not.Empty, "this kernel gives no pidfd to watch");
        p.Dispose();
        Assert.That(Eventually(() => p.ExitCode is not null, ChildTimeout), Is.True, "child did not exit");
        p.Dispose();
        Assert.That(Eventually(() => !PidFds().Intersect(opened).Any(), TimeSpan.FromSeconds(5)), Is.True,
            "the child's pidfd stayed open after Dispose and exit");
        Assert.That(Multiprocessing.ActiveChildren(), Does.Not.Contain(p));
    }

    [Test]
    public void AfterDispose_IsAliveJoinAndSignalsThrowObjectDisposedNamingIpcProcess()
    {
        var p = Track(IpcProcess.Start(ChildTargets.NoArgs));
        JoinOrFail(p);
        p.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => _ = p.IsAlive);
        Assert.That(e!.ObjectName, Does.Contain(nameof(IpcProcess)));
        Assert.Throws<ObjectDisposedException>(() => p.Join(TimeSpan.FromSeconds(1)));
        Assert.Throws<ObjectDisposedException>(() => p.Terminate());
        Assert.Throws<ObjectDisposedException>(() => p.Kill());
        Assert.Throws<ObjectDisposedException>(() => p.Start());
        Assert.That(p.ExitCode, Is.EqualTo(0), "the exit code stays readable");
        Assert.That(p.ToString(), Does.Contain("exitcode=0"));
    }

    [Test]
    public void Join_TimeSpanMaxValue_WaitsWithoutLimit_NegativeThrows()
    {
        var p = Track(IpcProcess.Start(ChildTargets.Sleep, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Join(TimeSpan.FromMilliseconds(-2)));
        Assert.That(p.Join(TimeSpan.MaxValue), Is.True);
        Assert.That(p.Join(TimeSpan.FromMilliseconds(int.MaxValue)), Is.True);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test, Platform("Linux", Reason = "SIGINT; on Windows Interrupt throws PlatformNotSupportedException (tested there)")]
    public void Interrupt_UnhandledSigint_GivesMinusTwo()
    {
        var p = Track(IpcProcess.Start(ChildTargets.Sleep, 60_000));
        Thread.Sleep(300); // let the runtime install its handlers: an unhandled SIGINT must still end the child
        p.Interrupt();
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(-2));
    }

    [Test, Platform("Win", Reason = "Windows has no SIGINT for another process group: Interrupt says so")]
    public void Interrupt_OnWindows_ThrowsPlatformNotSupported_ChildRunsOn()
    {
        var p = Track(IpcProcess.Start(ChildTargets.Sleep, 60_000));
        Assert.Throws<PlatformNotSupportedException>(p.Interrupt);
        Assert.That(p.IsAlive, Is.True);
        p.Kill();
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(-9));
    }

    /// <summary>Descriptor numbers of this process's open pidfds.</summary>
    private static HashSet<string> PidFds()
    {
        var set = new HashSet<string>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try { if (new FileInfo(fd).LinkTarget == "anon_inode:[pidfd]") set.Add(Path.GetFileName(fd)); }
            catch (IOException) { } // closed while we looked
        }
        return set;
    }
}
