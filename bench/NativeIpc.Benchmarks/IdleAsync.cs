using System.Diagnostics;

namespace NativeIpc.Benchmarks;

/// <summary>The idle cost of pending async waits: 1,000 <c>GetAsync</c> on 100 empty queues, then the process's CPU
/// time over a quiet stretch (CPU time, not wall time, so the figure means something on a loaded machine). Run with
/// <c>idle-async [seconds]</c>; two rounds: the queues held by this process only, then also by a child process (so a
/// liveness look must test a foreign owner).</summary>
public static class IdleAsync
{
    private const int Queues = 100, WaitsPerQueue = 10;

    /// <summary>The child: attaches (holds) every queue named in <paramref name="names"/>, then idles until told.</summary>
    public static void HoldQueues(string names, IpcEvent ready, IpcEvent done)
    {
        var held = names.Split(',').Select(IpcQueue<long>.Attach).ToList();
        ready.Set();
        done.Wait(TimeSpan.FromMinutes(10));
        foreach (var q in held) q.Dispose();
    }

    public static void Measure(int seconds)
    {
        foreach (bool child in new[] { false, true }) Round(seconds, child);
    }

    private static void Round(int seconds, bool withChild)
    {
        var queues = Enumerable.Range(0, Queues).Select(_ => new IpcQueue<long>()).ToArray();
        using var ready = new IpcEvent();
        using var done = new IpcEvent();
        IpcProcess? holder = null;
        if (withChild)
        {
            holder = IpcProcess.Start(HoldQueues, string.Join(',', queues.Select(q => q.Name)), ready, done);
            if (!ready.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException("the holding child did not start");
        }
        var me = System.Diagnostics.Process.GetCurrentProcess();
        int threadsBefore = me.Threads.Count;
        using var cts = new CancellationTokenSource();
        var pending = queues.SelectMany(q => Enumerable.Range(0, WaitsPerQueue).Select(_ => q.GetAsync(cts.Token).AsTask())).ToList();
        Thread.Sleep(2000); // tiered JIT and the thread pool settle
        me.Refresh();
        var cpu0 = me.TotalProcessorTime;
        long looks0 = AsyncParker.LookCount, sleeps0 = AsyncParker.SleepCount;
        var sw = Stopwatch.StartNew();
        Thread.Sleep(seconds * 1000);
        me.Refresh();
        var cpu = me.TotalProcessorTime - cpu0;
        double wall = sw.Elapsed.TotalMilliseconds;
        Console.WriteLine($"{Queues * WaitsPerQueue} pending GetAsync on {Queues} queues{(withChild ? " (also held by a child)" : "")}: "
            + $"CPU {cpu.TotalMilliseconds:F0} ms over {wall / 1000:F1} s = {100 * cpu.TotalMilliseconds / wall:F2} % of a core; "
            + $"threads {threadsBefore} -> {me.Threads.Count} (parker groups {AsyncParker.ThreadCount}, two threads each); "
            + $"parker sleeps {AsyncParker.SleepCount - sleeps0}, liveness looks {AsyncParker.LookCount - looks0}; registered {AsyncParker.RegistrationCount}");
        foreach (var q in queues) q.Put(1);
        bool one = SpinWait.SpinUntil(() => pending.Count(t => t.IsCompletedSuccessfully) >= Queues, TimeSpan.FromSeconds(30));
        Console.WriteLine($"  after one put per queue: {pending.Count(t => t.IsCompletedSuccessfully)} completed ({Queues} expected{(one ? "" : ", TIMED OUT")})");
        cts.Cancel();
        try { Task.WaitAll([.. pending], TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
        done.Set();
        holder?.Join(TimeSpan.FromSeconds(60));
        holder?.Dispose();
        foreach (var q in queues) q.Dispose();
    }
}
