namespace NativeIpc.Demo;

/// <summary>Seed section "Manager Object": four processes each put their name in a shared dict and their pid in a
/// shared list; the parent prints both.</summary>
public static class ManagerExample
{
    /// <summary>Runs in each child.</summary>
    public static void Worker(IpcDict<string, string> d, IpcList<int> l)
    {
        d[Multiprocessing.CurrentProcess.Name] = "value";
        l.Add(Multiprocessing.CurrentProcess.Pid!.Value);
    }

    public static void Run()
    {
        using var manager = Multiprocessing.Manager();        // with Manager() as manager:
        var sharedDict = manager.Dict<string, string>();      // manager.dict()
        var sharedList = manager.List<int>();                 // manager.list()
        var processes = new List<IpcProcess>();
        for (int i = 0; i < 4; i++)
        {
            var p = Multiprocessing.Process(Worker, sharedDict, sharedList);
            processes.Add(p);
            p.Start();
        }
        foreach (var p in processes) p.Join();
        Console.WriteLine(sharedDict);
        Console.WriteLine(sharedList);
        foreach (var p in processes) p.Dispose();
    }
}
