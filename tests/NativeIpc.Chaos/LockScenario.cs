using C = NativeIpc.Chaos.ControlLayout;
using S = NativeIpc.Chaos.ChaosLockLayout;

namespace NativeIpc.Chaos;

/// <summary>Workers take turns in an <see cref="IpcLock"/>-protected section that bumps A, stamps a token, bumps B;
/// holders are SIGKILLed at random. A section entered normally must find A == B (mutual exclusion and no lost
/// update); the token must be unchanged at the end of a section; a section entered with
/// <see cref="IpcAbandonedLockException"/> may find A == B + 1 (its holder died inside) and repairs it. At most one
/// abandonment per kill; the final acquire here must succeed (abandoned only if a holder was killed).</summary>
internal sealed class LockScenario : Scenario
{
    private const int Workers = 3;

    public override string Name => "lock";

    public override void Run(Episode e, TimeSpan length)
    {
        using var lk = new IpcLock();
        using var state = SharedArray<long>.Create(S.Length);
        using var ctl = SharedArray<long>.Create(C.Length);
        int inc = 0, kills = 0;
        var workers = new IpcProcess[Workers];
        for (int i = 0; i < Workers; i++) workers[i] = e.Start(Work, lk, state, ctl, ++inc);
        var end = DateTime.UtcNow + length;
        long progress = 0;
        while (DateTime.UtcNow < end)
        {
            e.Pause(30, 300);
            e.AwaitProgress(ctl, ref progress);
            int v = e.Rng.Next(Workers);
            if (workers[v].IsAlive) { e.Kill(workers[v]); kills++; }
            else e.CheckExit(workers[v], "lock worker");
            workers[v].Dispose();
            workers[v] = e.Start(Work, lk, state, ctl, ++inc);
        }
        ctl[C.Stop] = 1;
        foreach (var w in workers) e.CheckExit(w, "lock worker");

        bool abandoned = false;
        try
        {
            if (!lk.TryAcquire(Limits.ChildWait)) { e.Hang("the final acquire timed out with every worker gone"); return; }
        }
        catch (IpcAbandonedLockException) { abandoned = true; Interlocked.Increment(ref ctl[C.Abandoned]); }
        long a = state[S.A], b = state[S.B];
        if (a != b && !(abandoned && a == b + 1)) e.Violation($"final A={a}, B={b} (abandoned: {abandoned})");
        lk.Release();
        if (abandoned && kills == 0) e.Violation("abandoned lock without any kill");
        if (ctl[C.Abandoned] > kills) e.Violation($"{ctl[C.Abandoned]} abandoned takeovers for {kills} kills");
        Collect(e, ctl);
    }

    public static void Work(IpcLock lk, SharedArray<long> state, SharedArray<long> ctl, int inc)
    {
        while (!Stopped(ctl))
        {
            bool abandoned = false;
            try
            {
                if (!lk.TryAcquire(Limits.ChildWait))
                {
                    Console.Error.WriteLine($"chaos lock worker {inc}: no acquire in {Limits.ChildWait.TotalSeconds} s");
                    Environment.Exit(ExitCodes.Hang);
                }
            }
            catch (IpcAbandonedLockException) { abandoned = true; Interlocked.Increment(ref ctl[C.Abandoned]); }
            long a = state[S.A], b = state[S.B];
            if (a != b)
            {
                if (!(abandoned && a == b + 1)) ChildViolation(ctl, $"lock worker {inc} entered with A={a}, B={b} (abandoned: {abandoned})");
                state[S.B] = a;
            }
            state[S.A] = a + 1;
            Volatile.Write(ref state[S.Token], inc);
            for (int i = 0; i < 50; i++) Thread.SpinWait(4);
            if (Volatile.Read(ref state[S.Token]) != inc) ChildViolation(ctl, $"lock worker {inc}: another process entered the section it held");
            state[S.B] = a + 1;
            Interlocked.Increment(ref ctl[C.Done]);
            lk.Release();
        }
    }
}
