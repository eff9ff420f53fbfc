using NativeIpc;

Multiprocessing.FreezeSupport();

switch (args[0])
{
    case "daemon-parent":
    {
        // Starts a daemon child that records its pid and sleeps; then sleeps until killed.
        var child = new IpcProcess(Children.SleepForever, args[1]) { Daemon = true }.Start();
        Console.WriteLine($"child {child.Pid}");
        Thread.Sleep(Timeout.Infinite);
        break;
    }
    case "nondaemon-exit":
    {
        // Main returns at once; the runtime must wait for the non-daemon child, which writes a file after 500 ms.
        IpcProcess.Start(Children.WriteAfterDelay, args[1], 500);
        Console.WriteLine("main returns");
        break;
    }
    case "daemon-exit":
    {
        // Main returns at once; the daemon child must be killed at exit, never writing its file.
        new IpcProcess(Children.WriteAfterDelay, args[1], 3000) { Daemon = true }.Start();
        Console.WriteLine("main returns");
        break;
    }
    case "throw":
    {
        using var p = IpcProcess.Start(Children.Throw, "boom from child");
        p.Join(TimeSpan.FromSeconds(30));
        Console.WriteLine($"exitcode {p.ExitCode}");
        break;
    }
    case "hello":
    {
        using var p = IpcProcess.Start(Children.Hello, "hello from child");
        p.Join(TimeSpan.FromSeconds(30));
        Console.WriteLine($"exitcode {p.ExitCode}");
        break;
    }
    case "print":
    {
        // A plain run that prints its argument: started as a native grandchild of a NativeIpc child.
        Console.WriteLine(args[1]);
        break;
    }
    case "shared-array-sleep":
    {
        // Creates a tracked shared array, says its name, then sleeps until the test SIGKILLs it.
        var arr = SharedArray<int>.Create([1, 2, 3]);
        Console.WriteLine($"name {arr.Name}");
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(arr);
        break;
    }
    case "named-shared-memory-sleep":
    {
        // Like shared-array-sleep, with a name the test chose (args[1]) plus a named segment removed before the kill
        // (args[2]), which the tracker must then leave alone.
        var shm = SharedMemory.Create(4096, args[1]);
        SharedMemory.Create(4096, args[2]).Dispose();
        Console.WriteLine($"name {shm.Name}");
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(shm);
        break;
    }
}

internal static class Children
{
    public static void SleepForever(string pidFile)
    {
        File.WriteAllText(pidFile, Environment.ProcessId.ToString());
        Thread.Sleep(Timeout.Infinite);
    }

    public static void WriteAfterDelay(string path, int delayMs)
    {
        Thread.Sleep(delayMs);
        File.WriteAllText(path, "done");
    }

    public static void Throw(string message) => throw new InvalidOperationException(message);

    public static void Hello(string message) => Console.WriteLine(message);
}
