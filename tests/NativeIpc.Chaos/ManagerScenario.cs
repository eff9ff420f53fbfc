using C = NativeIpc.Chaos.ControlLayout;

namespace NativeIpc.Chaos;

/// <summary>Writers bump their own key of a manager dict (<c>AddOrUpdate</c>) and then publish how many bumps
/// returned; readers copy the whole dict over and over; both are SIGKILLed at random (a writer killed inside a
/// write leaves the dict's lock to the next writer). Readers must never see a key go back; at the end every
/// writer's key holds exactly its acknowledged count, or one more if the writer was killed (its in-flight bump),
/// and no key exists that no writer wrote.</summary>
internal sealed class ManagerScenario : Scenario
{
    private const int Writers = 2;
    private const int Readers = 1;
    private const int MaxIncarnations = 128;

    public override string Name => "manager";

    public override void Run(Episode e, TimeSpan length)
    {
        using var manager = Multiprocessing.Manager();
        var dict = manager.Dict<string, long>();
        using var acked = SharedArray<long>.Create(MaxIncarnations);
        using var ctl = SharedArray<long>.Create(C.Length);
        var killedInc = new bool[MaxIncarnations];
        int nextInc = 0;
        var writers = new (IpcProcess P, int Inc)[Writers];
        for (int i = 0; i < Writers; i++) { writers[i] = (e.Start(Write, dict, acked, ctl, nextInc), nextInc); nextInc++; }
        var readers = new IpcProcess[Readers];
        for (int i = 0; i < Readers; i++) readers[i] = e.Start(Read, dict, ctl);
        var end = DateTime.UtcNow + length;
        long progress = 0;
        while (DateTime.UtcNow < end && nextInc < MaxIncarnations)
        {
            e.Pause(50, 400);
            e.AwaitProgress(ctl, ref progress);
            int v = e.Rng.Next(Writers + Readers);
            if (v < Writers)
            {
                var (p, inc) = writers[v];
                if (p.IsAlive) { e.Kill(p); killedInc[inc] = true; }
                else e.CheckExit(p, "dict writer");
                p.Dispose();
                writers[v] = (e.Start(Write, dict, acked, ctl, nextInc), nextInc);
                nextInc++;
            }
            else
            {
                var r = readers[v - Writers];
                if (r.IsAlive) e.Kill(r); else e.CheckExit(r, "dict reader");
                r.Dispose();
                readers[v - Writers] = e.Start(Read, dict, ctl);
            }
        }
        ctl[C.Stop] = 1;
        foreach (var (p, _) in writers) e.CheckExit(p, "dict writer");
        foreach (var r in readers) e.CheckExit(r, "dict reader");

        var final = dict.ToDictionary();
        for (int inc = 0; inc < nextInc; inc++)
        {
            long a = acked[inc];
            long got = final.TryGetValue(Key(inc), out long v) ? v : 0;
            if (got != a && !(killedInc[inc] && got == a + 1))
                e.Violation($"key {Key(inc)} holds {got}, its writer acknowledged {a} bumps (killed: {killedInc[inc]})");
        }
        foreach (var key in final.Keys)
            if (!key.StartsWith('w') || !int.TryParse(key.AsSpan(1), out int i) || i >= nextInc) e.Violation($"unexpected key '{key}'");
        Collect(e, ctl);
    }

    private static string Key(int inc) => "w" + inc;

    public static void Write(IpcDict<string, long> dict, SharedArray<long> acked, SharedArray<long> ctl, int inc)
    {
        for (long n = 1; !Stopped(ctl); n++)
        {
            long got = dict.AddOrUpdate(Key(inc), 1, static (_, v) => v + 1);
            if (got != n) ChildViolation(ctl, $"dict writer {inc}: bump {n} returned {got}");
            Volatile.Write(ref acked[inc], n);
            Interlocked.Increment(ref ctl[C.Done]);
        }
    }

    public static void Read(IpcDict<string, long> dict, SharedArray<long> ctl)
    {
        var last = new Dictionary<string, long>();
        while (!Stopped(ctl))
        {
            foreach (var (k, v) in dict.ToDictionary())
            {
                if (last.TryGetValue(k, out long before) && v < before) ChildViolation(ctl, $"dict reader: key {k} went back from {before} to {v}");
                last[k] = v;
            }
            Thread.Sleep(1);
        }
    }
}
