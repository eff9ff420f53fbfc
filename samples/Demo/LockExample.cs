namespace NativeIpc.Demo;

/// <summary>Seed section 4, "Process Synchronization": four processes print under one shared lock.</summary>
public static class LockExample
{
    /// <summary>Task executed by each child process: prints its item while holding the lock.</summary>
    public static void Printer(string item, IpcLock @lock)
    {
        using (@lock.Acquire())
            Console.WriteLine($"Process {Multiprocessing.CurrentProcess.Name} prints: {item}");
    }

    public static void Run()
    {
        using var @lock = Multiprocessing.Lock();
        string[] items = ["A", "B", "C", "D"];
        var processes = new List<IpcProcess>();
        foreach (var item in items)
        {
            var p = Multiprocessing.Process(Printer, item, @lock);
            processes.Add(p);
            p.Start();
        }
        foreach (var p in processes)
            p.Join();
    }
}
