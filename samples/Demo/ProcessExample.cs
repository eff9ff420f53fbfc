namespace NativeIpc.Demo;

/// <summary>Seed section 1, "Basics of Multiprocessing": four named workers print their names.</summary>
public static class ProcessExample
{
    /// <summary>Task executed by the child process.</summary>
    public static void Worker()
        => Console.WriteLine($"Child process {Multiprocessing.CurrentProcess.Name} is running");

    public static void Run()
    {
        var processes = new List<IpcProcess>();
        for (int i = 0; i < 4; i++)
        {
            var p = new IpcProcess(Worker) { Name = $"worker-{i}" };
            processes.Add(p);
            p.Start();
        }
        foreach (var p in processes)
            p.Join(); // Wait for all child processes to finish
    }
}
