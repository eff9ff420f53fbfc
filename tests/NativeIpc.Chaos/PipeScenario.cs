namespace NativeIpc.Chaos;

/// <summary>A writer child streams numbered items into a one-way pipe; this process reads. Most writers are
/// SIGKILLed mid-stream. The reader must get items 0, 1, 2, ... whole and in order (a killed writer's in-flight
/// item may or may not arrive; nothing is skipped or repeated), then end-of-stream (<see cref="IpcPipeClosedException"/>)
/// within moments: never a hang.</summary>
internal sealed class PipeScenario : Scenario
{
    private const int Items = 20_000;

    public override string Name => "pipe";

    public override void Run(Episode e, TimeSpan length)
    {
        var end = DateTime.UtcNow + length;
        int inc = 0;
        while (DateTime.UtcNow < end) OnePipe(e, inc++);
    }

    private static void OnePipe(Episode e, int inc)
    {
        var (reader, writer) = Multiprocessing.Pipe(duplex: false);
        using var _ = reader;
        using var acked = SharedArray<long>.Create(1);
        IpcProcess child;
        using (writer) child = e.Start(Write, writer, acked, inc); // the child holds the only writing end now
        // Most writers are killed once the reader got a random number of items, while they keep sending.
        long killAt = e.Rng.Next(5) != 0 ? e.Rng.Next(Items) : -1;
        var killer = Task.CompletedTask;

        long next = 0;
        try
        {
            while (true)
            {
                byte[] msg;
                try { msg = reader.RecvBytes(Limits.ChildWait); }
                catch (IpcPipeClosedException) { break; }
                catch (TimeoutException)
                {
                    e.Hang($"no message and no end-of-stream for {Limits.ChildWait.TotalSeconds} s after item {next - 1} (writer alive: {child.IsAlive})");
                    break;
                }
                if (!ChaosItem.TryRead(msg, out int gotInc, out long seq)) { e.Violation($"torn message after item {next - 1}"); continue; }
                if (gotInc != inc || seq != next) { e.Violation($"expected item {next} of writer {inc}, got item {seq} of writer {gotInc}"); next = seq; }
                next++;
                if (next == killAt) killer = Task.Run(() => e.Kill(child));
            }
        }
        finally
        {
            if (!killer.Wait(Limits.Join)) e.Hang("the killer task did not finish");
        }
        bool killed = child.ExitCode == -9;
        if (!killed) e.CheckExit(child, "pipe writer");
        long a = acked[0];
        if (killed ? next < a || next > a + 1 : next != Items)
            e.Violation($"reader got {next} items; the writer acknowledged {a} sends (killed: {killed})");
        e.Items(next);
        child.Dispose();
    }

    public static void Write(Connection writer, SharedArray<long> acked, int inc)
    {
        for (long seq = 0; seq < Items; seq++)
        {
            try { writer.SendBytes(ChaosItem.Make(inc, seq, ChaosItem.PayloadLength(inc, seq, 2000)), Limits.ChildWait); }
            catch (TimeoutException) { Console.Error.WriteLine($"chaos pipe writer {inc}: send of item {seq} timed out"); Environment.Exit(ExitCodes.Hang); }
            Volatile.Write(ref acked[0], seq + 1);
        }
    }
}
