using NativeIpc.Os;

namespace NativeIpc.Process;

/// <summary>The one pre-started child of <see cref="IpcStartMethod.Standby"/>: spawned without a spec, its runtime
/// starts while nobody waits; <see cref="TryTake"/> hands it out and spawns the next in the background.</summary>
internal static class StandbyChild
{
    private static readonly object s_gate = new();
    private static (IChildProcess Child, string Program, string[] Argv)? s_ready;
    private static bool s_refilling;

    /// <summary>How many starts were served by a standby child (for tests).</summary>
    internal static int Handed;

    /// <summary>True while a standby child is spawned and waiting (for tests).</summary>
    internal static bool Ready
    {
        get { lock (s_gate) return s_ready is not null; }
    }

    /// <summary>The waiting child if it was started with the same command (the program did not change under us).</summary>
    public static IChildProcess? TryTake(string program, string[] argv, IReadOnlyDictionary<string, string> env)
    {
        IChildProcess? taken = null;
        lock (s_gate)
        {
            if (s_ready is { } r && r.Program == program && r.Argv.SequenceEqual(argv) && !r.Child.Exited.IsCompleted)
            {
                taken = r.Child;
                Handed++;
            }
            else if (s_ready is { } stale)
                stale.Child.SendSpec([]); // tell it to go away
            s_ready = null;
        }
        Refill(program, argv, env);
        return taken;
    }

    /// <summary>Sends the standby away (e.g. when the start method changes back to spawn).</summary>
    public static void Retire()
    {
        lock (s_gate)
        {
            s_ready?.Child.SendSpec([]);
            s_ready = null;
        }
    }

    private static void Refill(string program, string[] argv, IReadOnlyDictionary<string, string> env)
    {
        lock (s_gate)
        {
            if (s_refilling || s_ready is not null) return;
            s_refilling = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            IChildProcess? child = null;
            try { child = OsLayer.Launcher.Spawn(new ChildLaunch(program, argv, env, null, Daemon: false)); }
            catch (Exception) { /* no standby this time: the next Start spawns as usual */ }
            lock (s_gate)
            {
                s_refilling = false;
                if (child is not null) s_ready = (child, program, argv);
            }
        }, null);
    }
}
