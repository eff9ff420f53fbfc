using C = NativeIpc.Chaos.ControlLayout;

namespace NativeIpc.Chaos;

/// <summary>Workers hold an <see cref="IpcSemaphore"/> of <see cref="Permits"/> permits briefly, each raising its own
/// flag while it holds one; holders are SIGKILLed at random. Inside, the raised flags (the dead's included: their
/// permits are not returned, as in Python) never exceed the permits. At the end the semaphore's value plus the flags
/// still raised is at most <see cref="Permits"/> and at least <see cref="Permits"/> minus the kills.</summary>
internal sealed class SemaphoreScenario : Scenario
{
    private const int Permits = 2;
    private const int Workers = 4;
    private const int MaxIncarnations = 256;

    public override string Name => "semaphore";

    public override void Run(Episode e, TimeSpan length)
    {
        using var sem = new IpcSemaphore(Permits);
        using var flags = SharedArray<long>.Create(MaxIncarnations);
        using var ctl = SharedArray<long>.Create(C.Length);
        int inc = 0, kills = 0;
        var workers = new IpcProcess[Workers];
        for (int i = 0; i < Workers; i++) workers[i] = e.Start(Work, sem, flags, ctl, inc++);
        var end = DateTime.UtcNow + length;
        long progress = 0;
        while (DateTime.UtcNow < end && inc < MaxIncarnations)
        {
            e.Pause(50, 500);
            e.AwaitProgress(ctl, ref progress);
            int v = e.Rng.Next(Workers);
            if (workers[v].IsAlive) { e.Kill(workers[v]); kills++; }
            else e.CheckExit(workers[v], "semaphore worker");
            workers[v].Dispose();
            workers[v] = e.Start(Work, sem, flags, ctl, inc++);
        }
        ctl[C.Stop] = 1;
        foreach (var w in workers) e.CheckExit(w, "semaphore worker");
        long raised = flags.AsSpan().ToArray().Sum();
        int value = sem.Value;
        if (value + raised > Permits || value < Permits - kills)
            e.Violation($"final value {value} with {raised} flag(s) of dead holders raised, {Permits} permits, {kills} kills");
        Collect(e, ctl);
    }

    public static void Work(IpcSemaphore sem, SharedArray<long> flags, SharedArray<long> ctl, int inc)
    {
        while (!Stopped(ctl))
        {
            if (!sem.TryAcquire(TimeSpan.FromMilliseconds(200))) continue; // permits lost to kills may leave none
            Volatile.Write(ref flags[inc], 1);
            long held = 0;
            for (int i = 0; i < flags.Length; i++) held += Volatile.Read(ref flags[i]);
            if (held > Permits) ChildViolation(ctl, $"semaphore worker {inc}: {held} holders of {Permits} permits");
            Thread.SpinWait(200);
            Volatile.Write(ref flags[inc], 0);
            Interlocked.Increment(ref ctl[C.Done]);
            sem.Release();
        }
    }
}
