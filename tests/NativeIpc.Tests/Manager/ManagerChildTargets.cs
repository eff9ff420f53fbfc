namespace NativeIpc.Tests.Manager;

/// <summary>Targets the manager tests run in children.</summary>
public static class ManagerChildTargets
{
    /// <summary>The seed's worker: record this process's name in the dict and its pid in the list.</summary>
    public static void Record(IpcDict<string, string> d, IpcList<int> l)
    {
        d[Multiprocessing.CurrentProcess.Name] = "value";
        l.Add(Environment.ProcessId);
    }

    public static void CountUp(IpcDict<string, int> d, int times)
    {
        for (int i = 0; i < times; i++) d.AddOrUpdate("count", 1, (_, v) => v + 1);
    }

    /// <summary>Starts a change, then stops between writing the new snapshot and publishing it (holding the lock),
    /// raises <paramref name="stopped"/> and waits to be killed.</summary>
    public static void StallBeforePublish(IpcDict<string, int> d, IpcList<int> l, SharedValue<int> stopped, bool useList)
    {
        SnapshotSegment.BeforePublishHook = () =>
        {
            stopped.Value = 1;
            Thread.Sleep(Timeout.Infinite);
        };
        if (useList) l.Insert(0, -1);
        else d["torn"] = 999;
    }

    /// <summary>Creates a manager with a dict and a list, reports their names, then waits to be killed.</summary>
    public static void CreateAndHang(IpcList<string> names)
    {
        var m = Multiprocessing.Manager();
        var d = m.Dict<string, int>();
        d["x"] = 1;
        names.AddRange([d.Name, m.List<int>().Name]);
        Thread.Sleep(Timeout.Infinite);
    }
}
