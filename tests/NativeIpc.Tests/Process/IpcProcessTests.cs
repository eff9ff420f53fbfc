using System.Diagnostics;
using NativeIpc.Process;
using NUnit.Framework;

namespace NativeIpc.Tests.Process;

[TestFixture]
public class IpcProcessTests : ChildProcessFixture
{
    private string _file = "";

    [SetUp]
    public void NewFile() => _file = TestPaths.TempFile();

    [TearDown]
    public void RemoveFile() => File.Delete(_file);

    [Test]
    public void Start_StaticMethod_RunsInAnotherProcessWithTypedArguments()
    {
        var p = Track(IpcProcess.Start(ChildTargets.WriteSum, _file, 40, 2L, 0.5));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(p.Pid, Is.Not.EqualTo(Environment.ProcessId));
        Assert.That(File.ReadAllText(_file), Is.EqualTo("42.5"));
    }

    [Test]
    public void Start_LambdaThatCapturesNothing_Runs()
    {
        var p = Track(IpcProcess.Start(static (string path) => File.WriteAllText(path, "lambda"), _file));
        JoinOrFail(p);
        Assert.That(File.ReadAllText(_file), Is.EqualTo("lambda"));
    }

    [Test]
    public void Start_ValuesOfEveryKind_ArriveIntact()
    {
        var order = new Order(7, ["a", "b"], "Zoë");
        var p = Track(IpcProcess.Start(ChildTargets.WriteValues, _file, new Point { X = 3, Y = 4.5 }, Color.Green,
            new[] { 1, 2, 3 }, new byte[] { 0xDE, 0xAD }, new Tagged("t"), order));
        JoinOrFail(p);
        Assert.That(File.ReadAllText(_file), Is.EqualTo("3,4.5|Green|1,2,3|DEAD|t!|7:2:Zoë"));
    }

    [Test]
    public void Constructor_LambdaCapturingVariable_ThrowsArgumentExceptionNamingTheCapture()
    {
        string captured = _file;
        var e = Assert.Throws<ArgumentException>(() => _ = new IpcProcess(() => File.WriteAllText(captured, "x")));
        Assert.That(e!.Message, Does.Contain("captured").And.Contain("static"));
    }

    [Test]
    public void Constructor_InstanceMethod_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new IpcProcess(NewFile));
        Assert.That(e!.Message, Does.Contain("instance method"));
    }

    [Test]
    public void Constructor_WrongArgumentCountOrType_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _ = new IpcProcess(ChildTargets.Sleep));
        Assert.Throws<ArgumentException>(() => _ = new IpcProcess(ChildTargets.Sleep, "not an int"));
    }

    [Test]
    public void Start_ArgumentWithoutSerializer_ThrowsBeforeSpawning()
    {
        var p = IpcProcess.Create(ChildTargets.TakesStream, Stream.Null);
        var e = Assert.Throws<IpcSerializationException>(() => p.Start());
        Assert.That(e!.Message, Does.Contain("Stream"));
        Assert.That(p.Pid, Is.Null);
    }

    [Test]
    public void Start_Twice_ThrowsInvalidOperation()
    {
        var p = Track(IpcProcess.Start(ChildTargets.NoArgs));
        Assert.Throws<InvalidOperationException>(() => p.Start());
        JoinOrFail(p);
    }

    [Test]
    public void Join_NeverStarted_ThrowsInvalidOperation()
    {
        var p = IpcProcess.Create(ChildTargets.NoArgs);
        Assert.That(p.ExitCode, Is.Null);
        Assert.That(p.IsAlive, Is.False);
        Assert.Throws<InvalidOperationException>(() => p.Join(TimeSpan.FromSeconds(1)));
        Assert.Throws<InvalidOperationException>(() => p.Kill());
    }

    [Test]
    public void Properties_WhileRunningAndAfterExit()
    {
        var p = Track(new IpcProcess(ChildTargets.Sleep, 2000) { Name = "sleeper" }.Start());
        Assert.That(p.IsAlive, Is.True);
        Assert.That(p.ExitCode, Is.Null);
        Assert.That(p.Name, Is.EqualTo("sleeper"));
        Assert.That(Multiprocessing.ActiveChildren(), Does.Contain(p));
        Assert.That(p.Join(TimeSpan.FromMilliseconds(50)), Is.False);
        JoinOrFail(p);
        Assert.That(p.IsAlive, Is.False);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(Multiprocessing.ActiveChildren(), Does.Not.Contain(p));
    }

    [Test]
    public void ExitCode_EnvironmentExit_IsTheCodeGiven()
    {
        var p = Track(IpcProcess.Start(ChildTargets.Exit, 7));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(7));
    }

    [Test]
    public void ExitCode_UnhandledException_IsOne()
    {
        var p = Track(IpcProcess.Start(ChildTargets.Throw));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void Kill_GivesMinusSigkill()
    {
        var p = Track(IpcProcess.Start(ChildTargets.Sleep, 60_000));
        p.Kill();
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(-9));
    }

    [Test]
    public void Terminate_GivesMinusSigterm()
    {
        var p = Track(IpcProcess.Start(ChildTargets.Sleep, 60_000));
        Thread.Sleep(300); // let the runtime install its handlers: SIGTERM must still end the child
        p.Terminate();
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(-15));
    }

    [Test]
    public async Task WaitForExitAsync_CompletesAndHonoursCancellation()
    {
        var p = Track(IpcProcess.Start(ChildTargets.Sleep, 60_000));
        using (var cts = new CancellationTokenSource(100))
            Assert.That(async () => await p.WaitForExitAsync(cts.Token), Throws.InstanceOf<OperationCanceledException>());
        p.Kill();
        await p.WaitForExitAsync(new CancellationTokenSource(ChildTimeout).Token);
        Assert.That(p.ExitCode, Is.EqualTo(-9));
    }

    [Test]
    public void CurrentProcess_InChild_HasGivenNameAndParent_AndChannelIsScrubbed()
    {
        var p = Track(new IpcProcess(ChildTargets.WriteIdentity, _file) { Name = "named-child" }.Start());
        JoinOrFail(p);
        Assert.That(File.ReadAllText(_file), Is.EqualTo($"named-child|{p.Pid}|{Environment.ProcessId}|scrubbed"));
        Assert.That(Multiprocessing.CurrentProcess.Name, Is.EqualTo("MainProcess"));
        Assert.That(Multiprocessing.ParentProcess, Is.Null);
    }

    [Test]
    public void DefaultNames_FollowPython()
    {
        var a = IpcProcess.Create(ChildTargets.NoArgs);
        var b = IpcProcess.Create(ChildTargets.NoArgs);
        Assert.That(a.Name, Does.Match(@"^Process-\d+$"));
        Assert.That(b.Name, Is.Not.EqualTo(a.Name));
    }

    [Test]
    public void Join_TargetAssemblyMissingInChild_ThrowsNamingTheAssembly()
    {
        var p = IpcProcess.Create(ChildTargets.NoArgs);
        p.DescribedTarget = p.DescribedTarget! with { AssemblyName = "Moved.Away, Version=1.0.0.0", AssemblyPath = "/nonexistent/Moved.Away.dll" };
        Track(p.Start());
        var e = Assert.Throws<IpcChildStartException>(() => p.Join(ChildTimeout));
        Assert.That(e!.Message, Does.Contain("Moved.Away").And.Contain("not found"));
        Assert.That(p.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void Join_ArgumentFailsToDecodeInChild_ThrowsWithTheReason()
    {
        var p = Track(IpcProcess.Start(ChildTargets.TakesBadlyDecoded, new Undecodable()));
        var e = Assert.Throws<IpcChildStartException>(() => p.Join(ChildTimeout));
        Assert.That(e!.Message, Does.Contain("cannot decode this in the child"));
    }

    [Test]
    public void Join_ChildRuntimeFailsBeforeTarget_ThrowsNamingTheTarget()
    {
        // A GC heap limit far too small makes the child's runtime fail to start: it never reaches the target.
        Environment.SetEnvironmentVariable("DOTNET_GCHeapHardLimit", "0x10000");
        IpcProcess p;
        try { p = Track(IpcProcess.Start(ChildTargets.NoArgs)); }
        finally { Environment.SetEnvironmentVariable("DOTNET_GCHeapHardLimit", null); }
        var e = Assert.Throws<IpcChildStartException>(() => p.Join(ChildTimeout));
        Assert.That(e!.Message, Does.Contain("before it reached its target").And.Contain(nameof(ChildTargets.NoArgs)));
        Assert.That(p.ExitCode, Is.Not.EqualTo(0).And.Not.Null);
    }

    [Test]
    public void CpuCount_HonoursAffinity()
    {
        // Its own method: the Linux wrapper's assembly loads only where it is called.
        static int AffinityCpuCount() => NativeIpc.Platform.Unix.ProcessControl.GetAffinityCpuCount();
        int affinity = OperatingSystem.IsLinux() ? AffinityCpuCount() : Environment.ProcessorCount;
        Assert.That(Multiprocessing.CpuCount, Is.InRange(1, affinity));
    }

    [Test, Platform("Win", Reason = "standby start is Linux-only: asking for it elsewhere is an error, not a silent spawn")]
    public void StandbyStartMethod_OutsideLinux_ThrowsPlatformNotSupported()
    {
        Assert.Throws<PlatformNotSupportedException>(() => Multiprocessing.SetStartMethod(IpcStartMethod.Standby));
        Assert.That(IpcProcess.StartMethod, Is.EqualTo(IpcStartMethod.Spawn), "the start method is left as it was");
    }

    [Test, Platform("Linux", Reason = "standby start is Linux-only (StandbyPool); elsewhere choosing it throws")]
    public void StandbyStartMethod_ChildSeesEnvironmentAndDirectoryAtStart_AndRunsTargets()
    {
        Multiprocessing.SetStartMethod(IpcStartMethod.Standby);
        string cwd = Environment.CurrentDirectory;
        try
        {
            var first = Track(IpcProcess.Start(ChildTargets.WriteSum, _file, 1, 2L, 0.5)); // leaves a standby behind
            JoinOrFail(first);
            Assert.That(File.ReadAllText(_file), Is.EqualTo("3.5"));
            Assert.That(Eventually(() => StandbyPool.Ready.Length > 0, ChildTimeout), Is.True, "no standby child was spawned");
            // Changed after the standby was spawned: the child must still see it.
            Environment.SetEnvironmentVariable("NIPC_TEST_LATE", "late value");
            Environment.CurrentDirectory = Path.GetTempPath();
            int handed = StandbyPool.Handed;
            var second = Track(IpcProcess.Start(ChildTargets.WriteEnvironment, _file, "NIPC_TEST_LATE"));
            JoinOrFail(second);
            Assert.That(StandbyPool.Handed, Is.EqualTo(handed + 1), "the second start was served by the standby child");
            Assert.That(second.ExitCode, Is.EqualTo(0));
            Assert.That(File.ReadAllText(_file), Is.EqualTo("late value|" + Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar)));
        }
        finally
        {
            Multiprocessing.SetStartMethod(IpcStartMethod.Spawn);
            Environment.SetEnvironmentVariable("NIPC_TEST_LATE", null);
            Environment.CurrentDirectory = cwd;
        }
        Assert.That(Multiprocessing.GetStartMethod(), Is.EqualTo(IpcStartMethod.Spawn));
    }

    // ---- parent in its own process (TestApp) ----

    private System.Diagnostics.Process RunTestApp(params string[] args)
    {
        var psi = new ProcessStartInfo(TestPaths.TestApp) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Track(System.Diagnostics.Process.Start(psi)!);
    }

    [Test]
    public void UnhandledException_PrintsTypeMessageAndStackToChildStderr()
    {
        var app = RunTestApp("throw");
        string stderr = app.StandardError.ReadToEnd();
        string stdout = app.StandardOutput.ReadToEnd();
        Assert.That(app.WaitForExit(30_000), Is.True);
        Assert.That(stdout, Does.Contain("exitcode 1"));
        Assert.That(stderr, Does.Contain("System.InvalidOperationException").And.Contain("boom from child").And.Contain("at Children.Throw"));
    }

    [Test]
    public void Apphost_ParentRunsChildFromOtherWorkingDirectory()
    {
        var psi = new ProcessStartInfo(TestPaths.TestApp, "hello") { RedirectStandardOutput = true, WorkingDirectory = "/" };
        var app = Track(System.Diagnostics.Process.Start(psi)!);
        string stdout = app.StandardOutput.ReadToEnd();
        Assert.That(app.WaitForExit(30_000), Is.True);
        Assert.That(stdout, Does.Contain("hello from child").And.Contain("exitcode 0"));
    }

    [Test]
    public void DaemonChild_DiesWhenParentIsSigkilled()
    {
        var app = RunTestApp("daemon-parent", _file);
        // Windows: reading while the writer still has the file open is a sharing violation, so "not yet" too.
        string text = "";
        bool Written()
        {
            try { text = File.Exists(_file) ? File.ReadAllText(_file) : ""; }
            catch (IOException) { text = ""; }
            return text.Length > 0;
        }
        Assert.That(Eventually(Written, ChildTimeout), Is.True, "daemon child never started");
        int childPid = int.Parse(text);
        Assert.That(IsRunning(childPid), Is.True);
        app.Kill(); // SIGKILL on Linux, TerminateProcess on Windows: no exit code of the parent's runs
        Assert.That(app.WaitForExit(30_000), Is.True);
        // Reaped by init once dead; a zombie would still "exist", so check /proc state too.
        Assert.That(Eventually(() => !IsRunning(childPid), TimeSpan.FromSeconds(5)), Is.True, "daemon child outlived its SIGKILLed parent");
    }

    [Test]
    public void NonDaemonChild_IsJoinedWhenParentExitsNormally()
    {
        var app = RunTestApp("nondaemon-exit", _file);
        Assert.That(app.WaitForExit(30_000), Is.True);
        Assert.That(File.Exists(_file), Is.True, "parent exited before its non-daemon child finished");
    }

    [Test]
    public void DaemonChild_IsKilledWhenParentExitsNormally()
    {
        var app = RunTestApp("daemon-exit", _file);
        Assert.That(app.WaitForExit(30_000), Is.True);
        Thread.Sleep(3500);
        Assert.That(File.Exists(_file), Is.False, "daemon child kept running after its parent exited");
    }

    private static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                return !p.HasExited;
            }
            catch (ArgumentException) { return false; } // no such process
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException) { return false; }
    }
}
