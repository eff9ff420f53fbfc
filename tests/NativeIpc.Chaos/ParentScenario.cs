using C = NativeIpc.Chaos.ControlLayout;

namespace NativeIpc.Chaos;

/// <summary>A participant that is itself a parent: it creates a queue, starts <see cref="Children"/> daemon children
/// that each create a queue and shared memory of their own, and is then SIGKILLed (sometimes after one of its children).
/// Its daemon children must die within moments (<c>PR_SET_PDEATHSIG</c>), and every segment the three created must be
/// removed by their crash trackers within moments.</summary>
internal sealed class ParentScenario : Scenario
{
    private const int Children = 2;

    public override string Name => "parent";

    public override void Run(Episode e, TimeSpan length)
    {
        var end = DateTime.UtcNow + length;
        do OneParent(e); while (DateTime.UtcNow < end);
    }

    private static void OneParent(Episode e)
    {
        using var owners = SharedArray<int>.Create(Children);
        using var pids = SharedArray<int>.Create(Children);
        using var ctl = SharedArray<long>.Create(C.Length);
        var parent = e.Start(Parent, owners, pids, ctl);
        var ready = DateTime.UtcNow + Limits.Join;
        while (Volatile.Read(ref ctl[C.Ready]) < Children && parent.IsAlive && DateTime.UtcNow < ready) Thread.Sleep(20);
        if (Volatile.Read(ref ctl[C.Ready]) < Children)
        {
            e.Hang($"the parent's children did not get ready within {Limits.Join.TotalSeconds} s (parent alive: {parent.IsAlive}, exit {parent.ExitCode})");
            e.Kill(parent);
            return;
        }
        var family = new List<int> { parent.Owner };
        for (int i = 0; i < Children; i++) { family.Add(owners[i]); e.Run.Owners.Add(owners[i]); }
        e.Pause(0, 200);
        if (e.Rng.Next(3) == 0 && Native.SendKill(pids[0]))
            e.Killed(); // its first child first (the parent reaps it), then the parent
        e.Kill(parent);
        var deadline = DateTime.UtcNow + Limits.Moments;
        while (DateTime.UtcNow < deadline && family.Any(ProcessLiveness.IsAlive)) Thread.Sleep(20);
        foreach (int o in family.Where(ProcessLiveness.IsAlive))
            e.Violation($"owner {o} of the killed parent's family is still alive {Limits.Moments.TotalSeconds} s after the parent was killed");
        while (DateTime.UtcNow < deadline + Limits.Moments && family.Any(o => ShmLeaks.EntriesOf(o).Any())) Thread.Sleep(50);
        foreach (int o in family)
            foreach (string name in ShmLeaks.EntriesOf(o))
                e.Tally.LeakedEntry(e.Scenario, name, $"of dead owner {o} not removed {2 * Limits.Moments.TotalSeconds} s after its death");
        e.Items(Children + 1);
    }

    public static void Parent(SharedArray<int> owners, SharedArray<int> pids, SharedArray<long> ctl)
    {
        using var own = new IpcQueue<int>(4096);
        own.Put(1);
        var kids = new List<IpcProcess>();
        for (int i = 0; i < Children; i++)
        {
            var kid = new IpcProcess(Child, pids, ctl, i) { Daemon = true }.Start();
            owners[i] = kid.Owner;
            kids.Add(kid);
        }
        Thread.Sleep(Limits.Join); // killed long before this
    }

    public static void Child(SharedArray<int> pids, SharedArray<long> ctl, int index)
    {
        using var q = new IpcQueue<int>(4096);
        using var shm = SharedMemory.Create(4096);
        q.Put(index);
        pids[index] = Environment.ProcessId; // only to SIGKILL it by pid; liveness is checked by owner id
        Interlocked.Increment(ref ctl[C.Ready]); // after the segments exist, so the leak check covers them
        Thread.Sleep(Limits.Join);
    }
}
