namespace NativeIpc.Chaos;

/// <summary>A <see cref="ProcessPool"/> runs numbered tasks while its workers are SIGKILLed at random. Every task
/// ends within its limit with the right answer for its input, or with <see cref="IpcWorkerLostException"/> (at most
/// one lost task per kill, chunk size 1); a task that ends neither way is a hang. Close + Join must then return.</summary>
internal sealed class PoolScenario : Scenario
{
    private const int Workers = 2;

    public override string Name => "pool";

    public override void Run(Episode e, TimeSpan length)
    {
        int kills = 0, lost = 0;
        long answered = 0, answeredAtKill = 0;
        using (var pool = new ProcessPool(Workers))
        {
            var pending = new List<(long Input, AsyncResult<long> Result)>();
            long next = e.Rng.NextInt64(1L << 40);
            var end = DateTime.UtcNow + length;
            var nextKill = DateTime.UtcNow + TimeSpan.FromMilliseconds(e.Rng.Next(100, 600));
            while (DateTime.UtcNow < end)
            {
                while (pending.Count < 64) { long x = next++; pending.Add((x, pool.ApplyAsync(Task, x))); }
                if (DateTime.UtcNow >= nextKill && answered > answeredAtKill)
                {
                    var pids = pool.Pids;
                    if (pids.Count > 0 && Native.SendKill(pids[e.Rng.Next(pids.Count)])) { kills++; e.Killed(); }
                    answeredAtKill = answered;
                    nextKill = DateTime.UtcNow + TimeSpan.FromMilliseconds(e.Rng.Next(100, 600));
                }
                Settle(e, pending, ref answered, ref lost, onlyReady: true);
                Thread.Sleep(5);
            }
            Settle(e, pending, ref answered, ref lost, onlyReady: false);
            if (lost > kills) e.Violation($"{lost} tasks lost to {kills} worker kills");
            pool.Close();
            if (!pool.Join(Limits.Join)) e.Hang("Close + Join did not return");
            foreach (int pid in pool.Pids) e.Violation($"worker pid {pid} still alive after Join");
        }
        e.Items(answered);
    }

    /// <summary>Checks finished tasks (all of them when not <paramref name="onlyReady"/>, each waited for until one
    /// shared deadline, so many stuck tasks still cost one limit and count as one hang).</summary>
    private static void Settle(Episode e, List<(long Input, AsyncResult<long> Result)> pending, ref long answered, ref int lost, bool onlyReady)
    {
        var deadline = DateTime.UtcNow + Limits.ChildWait;
        var stuck = new List<long>();
        for (int i = pending.Count - 1; i >= 0; i--)
        {
            var (x, r) = pending[i];
            if (onlyReady && !r.Ready) continue;
            pending.RemoveAt(i);
            try
            {
                long got = r.Get(TimeSpan.FromTicks(Math.Max(1, (deadline - DateTime.UtcNow).Ticks)));
                if (got != ChaosItem.Answer(x)) e.Violation($"task {x} answered {got}, expected {ChaosItem.Answer(x)}");
                answered++;
            }
            catch (IpcWorkerLostException) { lost++; }
            catch (TimeoutException) { stuck.Add(x); }
            catch (Exception ex) { e.Violation($"task {x} failed: {ex.GetType().Name}: {ex.Message}"); }
        }
        if (stuck.Count > 0)
            e.Hang($"{stuck.Count} task(s) neither finished nor failed within {Limits.ChildWait.TotalSeconds} s (first: {stuck[^1]})");
    }

    public static long Task(long x)
    {
        if (x % 7 == 0) Thread.Sleep(1);
        return ChaosItem.Answer(x);
    }
}
