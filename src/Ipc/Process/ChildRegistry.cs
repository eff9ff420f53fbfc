namespace NativeIpc.Process;

/// <summary>The children this process started and has not released, and what happens to them when it exits
/// normally: daemons are killed, the others waited for (Python's <c>_exit_function</c>).</summary>
internal static class ChildRegistry
{
    private static readonly object s_gate = new();
    private static readonly List<ChildRole> s_children = [];
    private static bool s_exitHookInstalled;

    public static void Add(ChildRole child)
    {
        lock (s_gate)
        {
            s_children.Add(child);
            if (!s_exitHookInstalled)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => OnParentExit();
                s_exitHookInstalled = true;
            }
        }
    }

    public static void Remove(ChildRole child)
    {
        lock (s_gate) s_children.Remove(child);
    }

    /// <summary>Python's <c>active_children()</c>: started, not yet exited. Forgets the exited ones (as Python's
    /// reaps them): only running children matter at exit.</summary>
    public static IpcProcess[] Running()
    {
        lock (s_gate)
        {
            s_children.RemoveAll(c => !c.IsRunning);
            return s_children.Select(c => c.Owner).ToArray();
        }
    }

    private static void OnParentExit()
    {
        ChildRole[] live;
        lock (s_gate) live = s_children.Where(c => c.IsRunning).ToArray();
        foreach (var c in live) if (c.Daemon) c.KillAtExit();
        foreach (var c in live) c.WaitAtExit();
    }
}
