using NUnit.Framework;
using T = NativeIpc.Tests.Parity.ProcessTargets;

namespace NativeIpc.Tests.Parity;

/// <summary>Ported from CPython's <c>_TestProcess</c> and <c>_TestSubclassingProcess</c>.</summary>
[TestFixture]
public class ProcessParityTests : ParityFixture
{
    [Test, Description("Python: _TestProcess.test_current. Difference: no authkey (NativeIpc children are authorised by the OS: owner-only segments and inherited descriptors).")]
    public void TestProcess_Current()
    {
        var current = Multiprocessing.CurrentProcess;
        Assert.That(current.IsAlive, Is.True);
        Assert.That(current.Daemon, Is.False);
        Assert.That(current.Pid, Is.EqualTo(Environment.ProcessId)); // Python: current.ident == os.getpid()
        Assert.That(current.ExitCode, Is.Null);
    }

    [Test, Description("Python: _TestProcess.test_args_argument: arguments given as a list (params object[]) or a tuple (the typed overloads) arrive alike.")]
    public void TestProcess_ArgsArgument()
    {
        // args_cases (1, "str", [1], (1,)) x args_types (list, tuple): a one-element tuple is the int[] case here.
        using (var q = Multiprocessing.Queue<int>(1))
        {
            var p = Track(new IpcProcess(T.ArgsInt, q, 1) { Daemon = true }.Start());      // as a list
            Assert.That(q.Get(ShortTimeout), Is.EqualTo(1));
            JoinOrFail(p);
            p = Track(IpcProcess.Start(T.ArgsInt, q, 1));                                   // as a tuple
            Assert.That(q.Get(ShortTimeout), Is.EqualTo(1));
            JoinOrFail(p);
        }
        using (var q = Multiprocessing.Queue<string>(1))
        {
            var p = Track(new IpcProcess(T.ArgsString, q, "str") { Daemon = true }.Start());
            Assert.That(q.Get(ShortTimeout), Is.EqualTo("str"));
            JoinOrFail(p);
            p = Track(IpcProcess.Start(T.ArgsString, q, "str"));
            Assert.That(q.Get(ShortTimeout), Is.EqualTo("str"));
            JoinOrFail(p);
        }
        using (var q = Multiprocessing.Queue<int[]>(1))
        {
            var p = Track(new IpcProcess(T.ArgsArray, q, new[] { 1 }) { Daemon = true }.Start());
            Assert.That(q.Get(ShortTimeout), Is.EqualTo(new[] { 1 }));
            JoinOrFail(p);
            p = Track(IpcProcess.Start(T.ArgsArray, q, new[] { 1 }));
            Assert.That(q.Get(ShortTimeout), Is.EqualTo(new[] { 1 }));
            JoinOrFail(p);
        }
    }

    [Test, Description("Python: _TestProcess.test_daemon_argument. Difference: daemon is an init-only property (Python's keyword argument daemon=).")]
    public void TestProcess_DaemonArgument()
    {
        using var proc0 = new IpcProcess(T.Test);
        Assert.That(proc0.Daemon, Is.EqualTo(Multiprocessing.CurrentProcess.Daemon));
        using var proc1 = new IpcProcess(T.Test) { Daemon = true };
        Assert.That(proc1.Daemon, Is.True);
        using var proc2 = new IpcProcess(T.Test) { Daemon = false };
        Assert.That(proc2.Daemon, Is.False);
    }

    [Test, Description("Python: _TestProcess.test_parent_process_attributes (pins ParentProcess.Name: the parent's real name, not a constant).")]
    public void TestProcess_ParentProcessAttributes()
    {
        Assert.That(Multiprocessing.ParentProcess, Is.Null);
        var (rconn, wconn) = Multiprocessing.Pipe(duplex: false);
        using (rconn)
        using (wconn)
        {
            var p = Track(IpcProcess.Start(T.SendParentProcess, wconn));
            JoinOrFail(p);
            int parentPid = rconn.Recv<int>(ShortTimeout);
            string parentName = rconn.Recv<string>(ShortTimeout);
            Assert.That(parentPid, Is.EqualTo(Multiprocessing.CurrentProcess.Pid));
            Assert.That(parentPid, Is.EqualTo(Environment.ProcessId));
            Assert.That(parentName, Is.EqualTo(Multiprocessing.CurrentProcess.Name));
        }
    }

    [Test, Description("Python: _TestProcess.test_parent_process: a grandchild sees its parent alive, then dead once it was terminated.")]
    public void TestProcess_ParentProcess()
    {
        var (rconn, wconn) = Multiprocessing.Pipe(duplex: false);
        using (rconn)
        using (wconn)
        {
            var p = Track(IpcProcess.Start(T.CreateGrandchild, wconn));
            if (!rconn.Poll(ShortTimeout)) Assert.Fail("Could not communicate with child process");
            Assert.That(rconn.Recv<string>(), Is.EqualTo("alive"));
            p.Terminate();
            JoinOrFail(p);
            if (!rconn.Poll(ShortTimeout)) Assert.Fail("Could not communicate with child process");
            Assert.That(rconn.Recv<string>(), Is.EqualTo("not alive"));
        }
    }

    [Test, Description("Python: _TestProcess.test_process. Difference: no kwargs (a C# target takes positional, typed arguments) and no authkey.")]
    public void TestProcess_Process()
    {
        using var q = Multiprocessing.Queue<string>(1);
        using var e = Multiprocessing.Event();
        var p = Track(new IpcProcess(T.PutIdentity, q, 1, 2) { Name = "SomeProcess", Daemon = true });
        Assert.That(p.IsAlive, Is.False);
        Assert.That(p.Daemon, Is.True);
        Assert.That(Multiprocessing.ActiveChildren(), Does.Not.Contain(p));
        Assert.That(Multiprocessing.ActiveChildren(), Is.InstanceOf<IReadOnlyList<IpcProcess>>());
        Assert.That(p.ExitCode, Is.Null);

        p.Start();

        Assert.That(p.ExitCode, Is.Null);
        Assert.That(p.IsAlive, Is.True);
        Assert.That(Multiprocessing.ActiveChildren(), Does.Contain(p));

        Assert.That(q.Get(ShortTimeout), Is.EqualTo("1,2"));
        Assert.That(q.Get(ShortTimeout), Is.EqualTo(p.Name));
        Assert.That(q.Get(ShortTimeout), Is.EqualTo(p.Pid.ToString()));

        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(p.IsAlive, Is.False);
        Assert.That(Multiprocessing.ActiveChildren(), Does.Not.Contain(p));
    }

    [Test, Description("Python: _TestProcess.test_process_mainthread_native_id.")]
    public void TestProcess_ProcessMainthreadNativeId()
    {
        long current = T.MainThreadId();
        using var q = Multiprocessing.Queue<long>(1);
        var p = Track(IpcProcess.Start(T.MainThreadNativeId, q));
        long child = q.Get(ShortTimeout);
        JoinOrFail(p);
        Assert.That(child, Is.Not.EqualTo(current));
    }

    /// <summary>Python's _kill_process: checks a running child, stops it with <paramref name="meth"/>, returns its exit code.</summary>
    private int? KillProcess(Action<IpcProcess> meth, Action<IpcEvent>? target = null)
    {
        using var evt = Multiprocessing.Event();
        var p = Track(new IpcProcess(target ?? T.SleepSomeEvent, evt) { Daemon = true }.Start());

        Assert.That(p.IsAlive, Is.True);
        Assert.That(Multiprocessing.ActiveChildren(), Does.Contain(p));
        Assert.That(p.ExitCode, Is.Null);

        bool joined = Timed(() => p.Join(TimeSpan.Zero), out var elapsed);
        Assert.That(joined, Is.False); // Python: join(0) returns None with the process still running
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(p.IsAlive, Is.True);

        // Difference: Python treats join(-1) as join(0); a negative timeout is an ArgumentOutOfRangeException here.
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Join(TimeSpan.FromSeconds(-1)));
        Assert.That(p.IsAlive, Is.True);

        if (!evt.Wait(ShortTimeout))
        {
            p.Terminate();
            p.Join(ShortTimeout);
            Assert.Fail($"event not signaled in {ShortTimeout.TotalSeconds} seconds");
        }

        meth(p);

        Assert.That(Timed(() => p.Join(TimeSpan.FromSeconds(10)), out elapsed), Is.True, "join took too long");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(p.IsAlive, Is.False);
        Assert.That(Multiprocessing.ActiveChildren(), Does.Not.Contain(p));
        p.Join();
        return p.ExitCode;
    }

    [Test, Description("Python: _TestProcess.test_interrupt. Difference: a .NET child has no KeyboardInterrupt: an unhandled SIGINT kills it, exit code -2 (Python: 1); join(-1) is an ArgumentOutOfRangeException (Python: join(0)).")]
    [Platform(Exclude = "Win")]
    public void TestProcess_Interrupt()
        => Assert.That(KillProcess(p => p.Interrupt()), Is.EqualTo(-2));

    [Test, Description("Python: _TestProcess.test_interrupt_no_handler. Difference: join(-1) is an ArgumentOutOfRangeException (Python: join(0)).")]
    [Platform(Exclude = "Win")]
    public void TestProcess_InterruptNoHandler()
        => Assert.That(KillProcess(p => p.Interrupt(), T.SleepNoIntHandler), Is.EqualTo(-2)); // -signal.SIGINT

    [Test, Description("Python: _TestProcess.test_terminate. Difference: join(-1) is an ArgumentOutOfRangeException (Python: join(0)).")]
    public void TestProcess_Terminate()
        => Assert.That(KillProcess(p => p.Terminate()), Is.EqualTo(-15)); // -signal.SIGTERM

    [Test, Description("Python: _TestProcess.test_kill. Difference: join(-1) is an ArgumentOutOfRangeException (Python: join(0)). " +
                       "Difference: Kill() reads back as -9 on every OS (Python on Windows: kill() is terminate(), -15).")]
    public void TestProcess_Kill()
        => Assert.That(KillProcess(p => p.Kill()), Is.EqualTo(-9)); // -signal.SIGKILL; NativeIpc's Windows code reads back as it

    [Test, Description("Python: _TestProcess.test_cpu_count.")]
    public void TestProcess_CpuCount()
    {
        int cpus = Multiprocessing.CpuCount;
        Assert.That(cpus, Is.GreaterThanOrEqualTo(1));
    }

    [Test, Description("Python: _TestProcess.test_active_children.")]
    public void TestProcess_ActiveChildren()
    {
        Assert.That(Multiprocessing.ActiveChildren(), Is.InstanceOf<IReadOnlyList<IpcProcess>>());
        using var evt = Multiprocessing.Event();
        var p = Track(new IpcProcess(T.WaitEvent, evt));
        Assert.That(Multiprocessing.ActiveChildren(), Does.Not.Contain(p));
        try
        {
            p.Daemon = true;
            p.Start();
            Assert.That(Multiprocessing.ActiveChildren(), Does.Contain(p));
        }
        finally
        {
            evt.Set();
        }
        JoinOrFail(p);
        Assert.That(Multiprocessing.ActiveChildren(), Does.Not.Contain(p));
    }

    [Test, Description("Python: _TestProcess.test_recursion: children and grandchildren write to one pipe end; the reader drains it with poll().")]
    public void TestProcess_Recursion()
    {
        var (rconn, wconn) = Multiprocessing.Pipe(duplex: false);
        using (rconn)
        using (wconn)
        {
            T.Recursion(wconn, []);
            Thread.Sleep(Delta);
            var result = new List<int[]>();
            while (rconn.Poll()) result.Add(rconn.Recv<int[]>());
            int[][] expected = [[], [0], [0, 0], [0, 1], [1], [1, 0], [1, 1]];
            Assert.That(result, Is.EqualTo(expected));
        }
    }

    [Test, Description("Python: _TestProcess.test_sentinel. Difference: the sentinel is the IpcProcess itself, waited on with Multiprocessing.Wait (Python: an OS handle number); before start, waiting on it is an InvalidOperationException (Python: ValueError).")]
    public void TestProcess_Sentinel()
    {
        using var evt = Multiprocessing.Event();
        var p = Track(new IpcProcess(T.Sentinel, evt));
        Assert.Throws<InvalidOperationException>(() => p.Join(TimeSpan.Zero));
        p.Start();
        Assert.That(Multiprocessing.Wait([p], TimeSpan.Zero), Is.Empty);
        evt.Set();
        JoinOrFail(p);
        Assert.That(Multiprocessing.Wait([p], TimeSpan.FromSeconds(1)), Does.Contain(p));
    }

    [Test, Description("Python: _TestProcess.test_close (pins ObjectDisposedException after Dispose and a second Dispose). Difference: Dispose of a running process does not throw (Python's close() raises ValueError): it releases the handle when the child exits; no weakref check.")]
    public void TestProcess_Close()
    {
        using var q = Multiprocessing.Queue<int>();
        var p = Track(new IpcProcess(T.Close, q, 0) { Daemon = true }.Start());
        Assert.That(p.IsAlive, Is.True);

        q.Put(0);
        JoinOrFail(p);
        Assert.That(p.IsAlive, Is.False);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        p.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = p.IsAlive);
        Assert.Throws<ObjectDisposedException>(() => p.Join());
        Assert.Throws<ObjectDisposedException>(() => p.Terminate());
        Assert.DoesNotThrow(p.Dispose);

        // The difference: disposing a running child is allowed; afterwards it is gone for this object only, and its
        // handle (a pidfd on Linux) is released once it exits, also when disposed again meanwhile.
        int pidfdsBefore = OpenPidFds();
        var running = Track(new IpcProcess(T.Close, q, 0) { Daemon = true }.Start());
        Assert.That(running.IsAlive, Is.True);
        Assert.DoesNotThrow(running.Dispose);
        Assert.Throws<ObjectDisposedException>(() => _ = running.IsAlive);
        q.Put(0); // let it exit
        Assert.That(Eventually(() => Multiprocessing.ActiveChildren().Count == 0, ShortTimeout), Is.True);
        Assert.DoesNotThrow(running.Dispose);
        if (OperatingSystem.IsLinux())
            Assert.That(Eventually(() => OpenPidFds() <= pidfdsBefore, TimeSpan.FromSeconds(10)), Is.True, "the disposed child's pidfd was not released after it exited");
    }

    /// <summary>Descriptors of this process that are pidfds (a child's handle on Linux).</summary>
    private static int OpenPidFds()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        int n = 0;
        foreach (var fd in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.Contains("pidfd", StringComparison.Ordinal)) n++;
            }
            catch (IOException) { } // closed meanwhile
        }
        return n;
    }

    [Test, Description("Python: _TestProcess.test_many_processes (spawn: N = 5).")]
    public void TestProcess_ManyProcesses()
    {
        const int N = 5;
        var procs = Enumerable.Range(0, N).Select(_ => Track(new IpcProcess(T.Sleep, 10))).ToList();
        foreach (var p in procs) p.Start();
        foreach (var p in procs) JoinOrFail(p);
        foreach (var p in procs) Assert.That(p.ExitCode, Is.EqualTo(0));

        procs = Enumerable.Range(0, N).Select(_ => Track(new IpcProcess(T.Sleep, 100_000))).ToList();
        foreach (var p in procs) p.Start();
        Thread.Sleep(1); // let the children start...
        foreach (var p in procs) p.Terminate();
        foreach (var p in procs) JoinOrFail(p);
        foreach (var p in procs) Assert.That(p.ExitCode, Is.AnyOf(-15, -9));
    }

    [Test, Description("Python: _TestProcess.test_child_fd_inflation: the number of descriptors in a child does not grow with the number of running children.")]
    [Platform("Linux")]
    public void TestProcess_ChildFdInflation()
    {
        const int N = 5;
        using var evt = Multiprocessing.Event();
        using var q = Multiprocessing.Queue<int>();
        var procs = Enumerable.Range(0, N).Select(_ => Track(new IpcProcess(T.ChildFdInflation, evt, q))).ToList();
        foreach (var p in procs) p.Start();
        try
        {
            var fdCounts = Enumerable.Range(0, N).Select(_ => q.Get(ShortTimeout)).ToList();
            Assert.That(fdCounts.Distinct().Count(), Is.EqualTo(1), string.Join(", ", fdCounts));
        }
        finally
        {
            evt.Set();
            foreach (var p in procs) JoinOrFail(p);
        }
    }

    [Test, Description("Python: _TestProcess.test_wait_for_threads (pins: a child waits for its foreground threads, as Python waits for non-daemon threads).")]
    public void TestProcess_WaitForThreads()
    {
        using var evt = Multiprocessing.Event();
        var proc = Track(IpcProcess.Start(T.WaitForThreads, evt));
        JoinOrFail(proc);
        Assert.That(evt.IsSet, Is.True);
    }

    [Test, Description("Python: _TestProcess.test_error_on_stdio_flush_1: the parent's broken standard streams do not affect a child.")]
    public void TestProcess_ErrorOnStdioFlush1()
    {
        var closed = new StringWriter();
        closed.Dispose();
        foreach (string streamName in new[] { "stdout", "stderr" })
        {
            foreach (var stream in new TextWriter[] { closed, TextWriter.Null })
            {
                var old = streamName == "stdout" ? Console.Out : Console.Error;
                if (streamName == "stdout") Console.SetOut(stream); else Console.SetError(stream);
                try
                {
                    using var evt = Multiprocessing.Event();
                    var proc = Track(IpcProcess.Start(T.SetEvent, evt));
                    JoinOrFail(proc);
                    Assert.That(evt.IsSet, Is.True);
                    Assert.That(proc.ExitCode, Is.EqualTo(0));
                }
                finally
                {
                    if (streamName == "stdout") Console.SetOut(old); else Console.SetError(old);
                }
            }
        }
    }

    [Test, Description("Python: _TestProcess.test_error_on_stdio_flush_2 (pins: a child that closed its stdout/stderr exits 0, not SIGABRT).")]
    public void TestProcess_ErrorOnStdioFlush2()
    {
        foreach (string streamName in new[] { "stdout", "stderr" })
        {
            foreach (string action in new[] { "close", "remove" })
            {
                using var evt = Multiprocessing.Event();
                var proc = Track(IpcProcess.Start(T.ErrorOnStdioFlush, evt, streamName, action));
                JoinOrFail(proc);
                Assert.That(evt.IsSet, Is.True, $"{streamName} {action}");
                Assert.That(proc.ExitCode, Is.EqualTo(0), $"{streamName} {action}");
            }
        }
    }

    [Test, Description("Python: _TestSubclassingProcess.test_subclassing. Difference: IpcProcess is sealed (a target method, not an overridden run()); the upper-caser is a target with its pipe end. A null string cannot be sent (IpcSerializationException: it would arrive as an empty one), so stop() closes the pipe instead of sending None.")]
    public void TestSubclassingProcess_Subclassing()
    {
        var (childConn, parentConn) = Multiprocessing.Pipe();
        using (childConn)
        using (parentConn)
        {
            var uppercaser = Track(new IpcProcess(T.UpperCaser, childConn) { Daemon = true }.Start());
            childConn.Close();
            string Submit(string s)
            {
                parentConn.Send(s);
                return parentConn.Recv<string>(ShortTimeout);
            }
            Assert.That(Submit("hello"), Is.EqualTo("HELLO"));
            Assert.That(Submit("world"), Is.EqualTo("WORLD"));
            Assert.Throws<IpcSerializationException>(() => parentConn.Send<string?>(null)); // the difference: no None sentinel
            parentConn.Close(); // stop()
            JoinOk(uppercaser);
        }
    }

    [Test, Description("Python: _TestSubclassingProcess.test_stderr_flush: stderr is flushed at exit with the whole traceback. Difference: a .NET stack trace names methods, not source lines, so the marker is the method name (Python: the source text '1/0 # MARKER').")]
    public void TestSubclassingProcess_StderrFlush()
    {
        string testfn = Path.Combine(Path.GetTempPath(), $"parity-stderr-{Guid.NewGuid():N}");
        try
        {
            var proc = Track(IpcProcess.Start(T.StderrFlush, testfn));
            JoinOrFail(proc);
            string err = File.ReadAllText(testfn);
            Assert.That(err, Does.Contain("DivideByZeroException"));   // ZeroDivisionError
            Assert.That(err, Does.Contain(nameof(ProcessTargets)));     // test_multiprocessing.py
            Assert.That(err, Does.Contain(nameof(T.StderrFlush)));      // 1/0 # MARKER
            Assert.That(proc.ExitCode, Is.EqualTo(1));
        }
        finally
        {
            File.Delete(testfn);
        }
    }

    [Test, Description("Python: _TestSubclassingProcess.test_sys_exit. Difference: Environment.Exit takes an int, so the non-int reasons ([1, 2, 3], 'ignore this' printed and exit 1) have no equivalent; True/False are 1/0 and returning is sys.exit() / sys.exit(None).")]
    public void TestSubclassingProcess_SysExit()
    {
        var cases = new (Delegate Target, object?[] Args, int Expected)[]
        {
            (T.Exit, [1], 1),      // (True,)
            (T.Exit, [0], 0),      // (False,)
            (T.Exit, [8], 8),      // (8,)
            (T.Return, [], 0),     // (None,)
            (T.Return, [], 0),     // ()
        };
        foreach (var (target, args, expected) in cases)
        {
            var p = Track(new IpcProcess(target, args) { Daemon = true }.Start());
            JoinOrFail(p);
            Assert.That(p.ExitCode, Is.EqualTo(expected));
        }
    }
}
