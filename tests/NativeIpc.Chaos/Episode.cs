using System.Collections.Concurrent;

namespace NativeIpc.Chaos;

/// <summary>One run of one scenario: starts its participants (daemons, so they die with the suite), kills them,
/// waits for them with limits, and reports what broke under the scenario's name. Disposing it kills and reaps every
/// participant still running.</summary>
internal sealed class Episode : IDisposable
{
    private readonly List<IpcProcess> _started = [];

    public Episode(string scenario, ChaosRun run, int seed)
    {
        Scenario = scenario;
        Run = run;
        Rng = new Random(seed);
    }

    public string Scenario { get; }
    public ChaosRun Run { get; }
    public Random Rng { get; }
    public Tally Tally => Run.Tally;

    /// <summary>Starts a participant and records its owner id (for the end-of-run leak and stray checks).</summary>
    public IpcProcess Start(Delegate target, params object?[] args)
    {
        var p = new IpcProcess(target, args) { Daemon = true, Name = $"{Scenario}-{_started.Count}" }.Start();
        lock (_started) _started.Add(p);
        Run.Owners.Add(p.Owner);
        return p;
    }

    /// <summary>Counts a kill made some other way (by pid).</summary>
    public void Killed() { Tally.Kill(); Interlocked.Increment(ref Tally.For(Scenario).Kills); }

    /// <summary>Counts items (operations) checked.</summary>
    public void Items(long n) { Tally.AddItems(n); Interlocked.Add(ref Tally.For(Scenario).Items, n); }

    /// <summary>SIGKILLs a participant (if it is still running) and reaps it.</summary>
    public void Kill(IpcProcess p)
    {
        if (!p.IsAlive) return;
        p.Kill();
        Killed();
        Join(p, "killed participant");
    }

    /// <summary>Waits for a participant to exit; past <see cref="Limits.Join"/> it is a hang (and the participant is killed).</summary>
    public bool Join(IpcProcess p, string what)
    {
        if (p.Join(Limits.Join)) return true;
        Hang($"{what} ({p.Name}, pid {p.Pid}) did not exit within {Limits.Join.TotalSeconds} s");
        try { p.Kill(); p.Join(Limits.Join); } catch (IpcException) { }
        return false;
    }

    /// <summary>Checks how a participant that was not killed ended.</summary>
    public void CheckExit(IpcProcess p, string what, params int[] alsoAllowed)
    {
        if (!Join(p, what)) return;
        int code = p.ExitCode ?? int.MinValue;
        if (code == 0 || alsoAllowed.Contains(code)) return;
        if (code == ExitCodes.Hang) Hang($"{what} ({p.Name}) reported a wait that ran out ({Limits.ChildWait.TotalSeconds} s); see its stderr");
        else Violation($"{what} ({p.Name}) exited with {code}");
    }

    public void Violation(string what) => Tally.Violation(Scenario, what);

    public void Hang(string what) => Tally.Hang(Scenario, what);

    /// <summary>Waits until the participants made progress since the last kill (<paramref name="ctl"/>'s
    /// <see cref="ControlLayout.Done"/> moved past <paramref name="last"/>; at most a few seconds), so kills land in
    /// the middle of work and not only on processes still starting up.</summary>
    public void AwaitProgress(SharedArray<long> ctl, ref long last)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Volatile.Read(ref ctl[ControlLayout.Done]) <= last && DateTime.UtcNow < until) Thread.Sleep(10);
        last = Volatile.Read(ref ctl[ControlLayout.Done]);
    }

    /// <summary>Sleeps a random pause between kills.</summary>
    public void Pause(int minMs, int maxMs) => Thread.Sleep(Rng.Next(minMs, maxMs));

    public void Dispose()
    {
        Interlocked.Increment(ref Tally.For(Scenario).Episodes);
        foreach (var p in _started)
        {
            try
            {
                if (p.IsAlive) { p.Kill(); p.Join(Limits.Join); }
            }
            catch (IpcException) { }
            catch (ObjectDisposedException) { } // a scenario disposed it already
            p.Dispose();
        }
    }
}
