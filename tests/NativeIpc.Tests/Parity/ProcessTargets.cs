namespace NativeIpc.Tests.Parity;

/// <summary>Child targets of the ported _TestProcess / _TestSubclassingProcess tests (named after the Python helpers).</summary>
public static class ProcessTargets
{
    /// <summary>_test_args: puts its argument back.</summary>
    public static void ArgsInt(IpcQueue<int> q, int arg) => q.Put(arg);

    public static void ArgsString(IpcQueue<string> q, string arg) => q.Put(arg);

    public static void ArgsArray(IpcQueue<int[]> q, int[] arg) => q.Put(arg);

    public static void Test() { }

    /// <summary>_test: puts its args, its name and its pid (Python also puts kwargs and authkey).</summary>
    public static void PutIdentity(IpcQueue<string> q, int a, int b)
    {
        var current = Multiprocessing.CurrentProcess;
        q.Put($"{a},{b}");
        q.Put(current.Name);
        q.Put(current.Pid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>_test_send_parent_process.</summary>
    public static void SendParentProcess(Connection w)
    {
        var parent = Multiprocessing.ParentProcess!;
        w.Send(parent.Pid!.Value);
        w.Send(parent.Name);
    }

    /// <summary>_test_create_grandchild_process: starts a grandchild that reports on us, then sleeps.</summary>
    public static void CreateGrandchild(Connection w)
    {
        var p = IpcProcess.Start(ReportParentStatus, w);
        GC.KeepAlive(p);
        Thread.Sleep(300_000);
    }

    /// <summary>_test_report_parent_status.</summary>
    public static void ReportParentStatus(Connection w)
    {
        var parent = Multiprocessing.ParentProcess!;
        w.Send(parent.IsAlive ? "alive" : "not alive");
        parent.Join(TimeSpan.FromSeconds(30));
        w.Send(parent.IsAlive ? "alive" : "not alive");
    }

    /// <summary>_test_process_mainthread_native_id: the main thread's OS id (on Linux: the pid's main task).</summary>
    public static void MainThreadNativeId(IpcQueue<long> q) => q.Put(MainThreadId());

    public static long MainThreadId()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.Threads.Cast<System.Diagnostics.ProcessThread>().Min(t => t.Id);
    }

    /// <summary>_sleep_some_event.</summary>
    public static void SleepSomeEvent(IpcEvent e)
    {
        e.Set();
        Thread.Sleep(100_000);
    }

    /// <summary>_sleep_no_int_handler: SIGINT's default action, explicitly.</summary>
    public static void SleepNoIntHandler(IpcEvent e)
    {
        // A .NET process without a CancelKeyPress handler already dies of SIGINT; nothing to reset.
        SleepSomeEvent(e);
    }

    public static void Sleep(int ms) => Thread.Sleep(ms);

    public static void WaitEvent(IpcEvent e) => e.Wait(TimeSpan.FromSeconds(60));

    /// <summary>_test_recursion: sends its id, then (below depth 2) starts and joins two children.</summary>
    public static void Recursion(Connection w, int[] id)
    {
        w.Send(id);
        if (id.Length < 2)
        {
            for (int i = 0; i < 2; i++)
            {
                using var p = IpcProcess.Start(Recursion, w, (int[])[.. id, i]);
                if (!p.Join(TimeSpan.FromSeconds(60))) throw new TimeoutException("grandchild did not exit");
            }
        }
    }

    /// <summary>_test_sentinel.</summary>
    public static void Sentinel(IpcEvent e) => e.Wait(TimeSpan.FromSeconds(10));

    /// <summary>_test_close: waits for an item, then exits with <paramref name="rc"/>.</summary>
    public static void Close(IpcQueue<int> q, int rc)
    {
        q.Get(TimeSpan.FromSeconds(60));
        Environment.Exit(rc);
    }

    /// <summary>_test_child_fd_inflation: reports its open descriptors, then waits.</summary>
    public static void ChildFdInflation(IpcEvent evt, IpcQueue<int> q)
    {
        q.Put(Directory.GetFileSystemEntries("/proc/self/fd").Length);
        evt.Wait(TimeSpan.FromSeconds(60));
    }

    /// <summary>_test_wait_for_threads: a foreground thread sets the event after 0.5 s; a background one would clear it.</summary>
    public static void WaitForThreads(IpcEvent evt)
    {
        new Thread(() => { Thread.Sleep(500); evt.Set(); }).Start();
        new Thread(() => { Thread.Sleep(20_000); evt.Clear(); }) { IsBackground = true }.Start();
    }

    /// <summary>_test_error_on_stdio_flush: breaks the named standard streams ("close" or "remove"), then sets the event.</summary>
    public static void ErrorOnStdioFlush(IpcEvent evt, string streamName, string action)
    {
        TextWriter broken;
        if (action == "close")
        {
            broken = new StringWriter();
            broken.Dispose();
        }
        else
        {
            broken = TextWriter.Null; // Python sets it to None; .NET has no null stream, only a writer that drops everything
        }
        if (streamName == "stdout") Console.SetOut(broken);
        else if (streamName == "stderr") Console.SetError(broken);
        evt.Set();
    }

    /// <summary>Writes to the closed stdout: flushed at exit.</summary>
    public static void SetEvent(IpcEvent evt)
    {
        Console.Out.Write("x");
        evt.Set();
    }

    /// <summary>_UpperCaser.run: echoes upper-cased strings until the end of the input (Python: a None).</summary>
    public static void UpperCaser(Connection child)
    {
        try
        {
            while (true) child.Send(child.Recv<string>().ToUpperInvariant());
        }
        catch (IpcPipeClosedException)
        {
            // stop(): the parent closed its end
        }
        child.Close();
    }

    /// <summary>_test_stderr_flush: stderr to a file, then an unhandled exception.</summary>
    public static void StderrFlush(string path)
    {
        var file = new StreamWriter(File.Open(path, FileMode.CreateNew, FileAccess.Write));
        Console.SetError(file);
        int zero = 0;
        _ = 1 / zero; // MARKER
    }

    public static void Exit(int code) => Environment.Exit(code);

    public static void Return() { }
}
