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
    case "liveness-self":
    {
        // Says its owner id (NativeIpc's liveness identity), then sleeps until killed.
        Console.WriteLine($"owner {NativeIpc.Os.ProcessLiveness.Self}");
        Thread.Sleep(Timeout.Infinite);
        break;
    }
    case "liveness-probe":
    {
        // Is owner args[1] alive, seen from here (the test runs this in another pid namespace)?
        Console.WriteLine($"alive {NativeIpc.Os.ProcessLiveness.IsAlive(int.Parse(args[1]))}");
        break;
    }
    case "lock-try":
    {
        // Attaches the IpcLock described by args[1] (base64 of its transfer bytes) and tries it for args[2] ms.
        using var reader = new BinaryReader(new MemoryStream(Convert.FromBase64String(args[1])));
        using var lk = IpcLock.ReadTransfer(reader);
        try { Console.WriteLine(lk.TryAcquire(TimeSpan.FromMilliseconds(int.Parse(args[2]))) ? "acquired" : "timeout"); }
        catch (IpcAbandonedLockException) { Console.WriteLine("abandoned"); }
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
    case "many-named-shared-memory-sleep":
    {
        // Creates args[2] segments named args[1] + index, disposes the even ones, says the name of the first kept one,
        // then sleeps until the test SIGKILLs it: the tracker must then remove exactly the odd ones.
        int count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var kept = new List<SharedMemory>();
        for (int i = 0; i < count; i++)
        {
            var shm = SharedMemory.Create(64, args[1] + i);
            if (i % 2 == 0) shm.Dispose(); else kept.Add(shm);
        }
        Console.WriteLine($"name {kept[0].Name}");
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(kept);
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
