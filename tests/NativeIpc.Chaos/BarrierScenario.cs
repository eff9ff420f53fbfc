using C = NativeIpc.Chaos.ControlLayout;

namespace NativeIpc.Chaos;

/// <summary><see cref="Parties"/> children pass an <see cref="IpcBarrier"/> round after round, each adding
/// <c>1 &lt;&lt; arrival index</c> to its round's slot; most episodes SIGKILL one party. Without a kill every round's slot
/// ends at 0b111 and every party finishes. With a kill the others end within their wait limit, finished or with
/// <see cref="IpcBrokenBarrierException"/>, never hung; and no round ever hands out an arrival index twice.</summary>
internal sealed class BarrierScenario : Scenario
{
    private const int Parties = 3;
    private const int Rounds = 2000;
    private static readonly TimeSpan PartyWait = TimeSpan.FromSeconds(20);

    public override string Name => "barrier";

    public override void Run(Episode e, TimeSpan length)
    {
        using var barrier = new IpcBarrier(Parties);
        using var rounds = SharedArray<long>.Create(Rounds);
        using var ctl = SharedArray<long>.Create(C.Length);
        var parties = new IpcProcess[Parties];
        for (int i = 0; i < Parties; i++) parties[i] = e.Start(Party, barrier, rounds, ctl);
        bool kill = e.Rng.Next(4) != 0;
        if (kill)
        {
            long progress = e.Rng.Next(Rounds * Parties / 2);
            e.AwaitProgress(ctl, ref progress);
            e.Kill(parties[e.Rng.Next(Parties)]);
        }
        bool killed = parties.Any(p => p.ExitCode == -9);
        foreach (var p in parties)
            if (p.ExitCode != -9) e.CheckExit(p, "barrier party", killed ? [ExitCodes.Broken] : []);
        for (int r = 0; r < Rounds; r++)
        {
            long v = rounds[r];
            if (v > 0b111 || (!killed && v != 0b111)) { e.Violation($"round {r} arrival bits 0b{Convert.ToString(v, 2)} (killed: {killed})"); break; }
        }
        Collect(e, ctl);
    }

    public static void Party(IpcBarrier barrier, SharedArray<long> rounds, SharedArray<long> ctl)
    {
        for (int r = 0; r < Rounds; r++)
        {
            int index;
            try { index = barrier.Wait(PartyWait); }
            catch (IpcBrokenBarrierException) { Environment.Exit(ExitCodes.Broken); return; }
            Interlocked.Add(ref rounds[r], 1L << index);
            Interlocked.Increment(ref ctl[C.Done]);
        }
    }
}
