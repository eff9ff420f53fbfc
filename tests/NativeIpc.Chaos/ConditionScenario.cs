using C = NativeIpc.Chaos.ControlLayout;

namespace NativeIpc.Chaos;

/// <summary>Notifiers bump a counter under an <see cref="IpcCondition"/>'s lock and notify all; waiters wait for it to
/// pass the value they saw. Both are SIGKILLed at random (inside the lock too: the next to take it gets
/// <see cref="IpcAbandonedLockException"/>, holding it). A waiter must be woken within its limit while notifiers
/// run (a lost wake-up or a lock left held is a hang), and must never see the counter go back.</summary>
internal sealed class ConditionScenario : Scenario
{
    private const int Notifiers = 2;
    private const int Waiters = 2;

    public override string Name => "condition";

    public override void Run(Episode e, TimeSpan length)
    {
        using var lk = new IpcLock();
        using var cond = new IpcCondition(lk);
        using var state = SharedArray<long>.Create(1);
        using var ctl = SharedArray<long>.Create(C.Length);
        var all = new IpcProcess[Notifiers + Waiters];
        IpcProcess StartOne(int i) => i < Notifiers ? e.Start(Notify, cond, state, ctl) : e.Start(Wait, cond, state, ctl);
        for (int i = 0; i < all.Length; i++) all[i] = StartOne(i);
        var end = DateTime.UtcNow + length;
        long progress = 0;
        while (DateTime.UtcNow < end)
        {
            e.Pause(50, 400);
            e.AwaitProgress(ctl, ref progress);
            int v = e.Rng.Next(all.Length);
            if (all[v].IsAlive) e.Kill(all[v]);
            else e.CheckExit(all[v], "condition participant");
            all[v].Dispose();
            all[v] = StartOne(v);
        }
        ctl[C.Stop] = 1;
        // Waiters wait for a change or the stop flag: keep notifying until they are gone.
        var deadline = DateTime.UtcNow + Limits.Join;
        while (all.Any(p => p.IsAlive) && DateTime.UtcNow < deadline)
        {
            bool held = false;
            try { held = lk.TryAcquire(TimeSpan.FromSeconds(1)); }
            catch (IpcAbandonedLockException) { held = true; }
            if (held) { cond.NotifyAll(); lk.Release(); }
            Thread.Sleep(20);
        }
        foreach (var p in all) e.CheckExit(p, "condition participant");
        Collect(e, ctl);
    }

    public static void Notify(IpcCondition cond, SharedArray<long> state, SharedArray<long> ctl)
    {
        while (!Stopped(ctl))
        {
            if (!EnterCondition(cond)) Environment.Exit(ExitCodes.Hang);
            state[0]++;
            cond.NotifyAll();
            cond.Release();
            Thread.Sleep(1);
        }
    }

    public static void Wait(IpcCondition cond, SharedArray<long> state, SharedArray<long> ctl)
    {
        while (!Stopped(ctl))
        {
            if (!EnterCondition(cond)) Environment.Exit(ExitCodes.Hang);
            long seen = state[0];
            bool woke;
            try { woke = cond.WaitFor(() => state[0] > seen || Stopped(ctl), Limits.ChildWait); }
            catch (IpcAbandonedLockException) { woke = true; } // the lock's holder died while we waited; we hold it now
            long now = state[0];
            if (now < seen) ChildViolation(ctl, $"condition waiter saw the counter go back from {seen} to {now}");
            if (!woke && !Stopped(ctl))
            {
                Console.Error.WriteLine($"chaos condition waiter: not woken in {Limits.ChildWait.TotalSeconds} s (counter {now})");
                Environment.Exit(ExitCodes.Hang);
            }
            Interlocked.Increment(ref ctl[C.Done]);
            cond.Release();
        }
    }

    private static bool EnterCondition(IpcCondition cond)
    {
        try { return cond.TryAcquire(Limits.ChildWait); }
        catch (IpcAbandonedLockException) { return true; }
    }
}
