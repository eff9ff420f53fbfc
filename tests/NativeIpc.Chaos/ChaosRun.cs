using System.Collections.Concurrent;
using System.Diagnostics;

namespace NativeIpc.Chaos;

/// <summary>The whole run: the pid-namespace and pid-reuse cases, then <see cref="ChaosOptions.Lanes"/> lanes of
/// scenario episodes in parallel until the time is up, then the leak and stray checks and the summary line.</summary>
internal sealed class ChaosRun(ChaosOptions options)
{
    /// <summary>Past the planned length by this much, the run is declared hung and ends itself.</summary>
    private static readonly TimeSpan WatchdogSlack = TimeSpan.FromMinutes(10);

    public ChaosOptions Options { get; } = options;
    public Tally Tally { get; } = new();

    /// <summary>Owner ids of every participant this run started, at any depth it could learn them.</summary>
    public ConcurrentBag<int> Owners { get; } = [];

    public int Execute()
    {
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"chaos: seed={Options.Seed} seconds={Options.Seconds} lanes={Options.Lanes}{(Options.Short ? " short" : "")}");
        if (!OperatingSystem.IsLinux())
        {
            Console.WriteLine("chaos: the suite needs Linux (SIGKILL, /dev/shm, pid namespaces)");
            return 2;
        }
        if (!Native.BecomeSubreaper()) Tally.Note("not a subreaper: orphans of killed parents escape the stray check");
        var shm = ShmLeaks.Snapshot();
        Owners.Add(ProcessLiveness.Self);
        StartWatchdog(clock, TimeSpan.FromSeconds(Options.Seconds) + WatchdogSlack);

        if (Options.Only is null or "pid-namespace") new PidNamespaceCase().Run(this);
        if (Options.Only is null or "pid-reuse") new PidReuseCase().Run(this);
        RunLanes();

        shm.Check(Tally, Owners, Limits.Moments);
        ProcessTree.CheckStrays(Tally, Limits.Moments);
        foreach (string line in Tally.PerScenario()) Console.WriteLine(line);
        Console.WriteLine(Tally.Summary(clock.Elapsed.TotalSeconds));
        return Tally.Hangs + Tally.Leaks + Tally.Violations == 0 ? 0 : 1;
    }

    private void RunLanes()
    {
        Scenario[] scenarios =
        [
            new QueueScenario(QueueKind.Unbounded), new QueueScenario(QueueKind.Bounded), new QueueScenario(QueueKind.Joinable),
            new PipeScenario(), new LockScenario(), new SemaphoreScenario(), new ConditionScenario(), new BarrierScenario(),
            new PoolScenario(), new ManagerScenario(), new ParentScenario(),
        ];
        if (Options.Only is { } only) scenarios = scenarios.Where(s => s.Name == only).ToArray();
        if (scenarios.Length == 0) return;
        var seeds = new Random(Options.Seed);
        seeds.Shuffle(scenarios);
        int next = -1;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(Options.Seconds);
        var lanes = Enumerable.Range(0, Options.Lanes).Select(lane =>
        {
            var rng = new Random(seeds.Next());
            var t = new Thread(() =>
            {
                // Until the time is up, and in any case until every scenario has run once.
                while (DateTime.UtcNow < deadline || Volatile.Read(ref next) < scenarios.Length - 1)
                {
                    var s = scenarios[Interlocked.Increment(ref next) % scenarios.Length];
                    var length = TimeSpan.FromMilliseconds(rng.Next(1500, Options.Short ? 3000 : 5000));
                    using var e = new Episode(s.Name, this, rng.Next());
                    try { s.Run(e, length); }
                    catch (Exception ex) { Tally.Violation(s.Name, $"unexpected {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}"); }
                }
            }) { Name = $"chaos lane {lane}", IsBackground = true };
            t.Start();
            return t;
        }).ToArray();
        foreach (var t in lanes) t.Join();
    }

    private void StartWatchdog(Stopwatch clock, TimeSpan limit)
    {
        new Thread(() =>
        {
            Thread.Sleep(limit);
            Tally.Hang("run", $"the run did not finish within {limit.TotalSeconds} s; ending it (daemon participants die with it)");
            Console.WriteLine(Tally.Summary(clock.Elapsed.TotalSeconds));
            Environment.Exit(3);
        }) { IsBackground = true, Name = "chaos watchdog" }.Start();
    }
}
