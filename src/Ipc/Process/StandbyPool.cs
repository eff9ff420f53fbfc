using NativeIpc.Os;

namespace NativeIpc.Process;

/// <summary>The warm children of <see cref="IpcStartMethod.Standby"/>: <see cref="Count"/> children spawned without a
/// spec, their runtime booted and their bootstrap warmed while nobody waits. <see cref="TryTake"/> hands one out and
/// the pool is refilled in the background; a standby that dies while it waits is dropped and replaced, never handed
/// out. Standbys hold only the read end of their spec pipe: when this process dies (SIGKILL included) they read end of
/// file and exit, so none outlives it.</summary>
internal static class StandbyPool
{
    /// <summary>Standbys kept by default: enough for a burst of starts as large as the machine runs at once.</summary>
    public static int DefaultCount => Math.Max(2, Environment.ProcessorCount);

    /// <summary>Consecutive standbys that died before they were handed out after which refilling pauses until the next
    /// start (a program that cannot boot as a child must not respawn in a loop).</summary>
    private const int MaxUnexpectedDeaths = 3;

    /// <summary>How long after the last start the pool waits before it spawns replacements, unless it runs low: a
    /// runtime booting beside a burst of starts takes the CPU they need (on 2 vCPUs each refill cost the back-to-back
    /// starts of a 10-standby pool ~40 ms apiece). Settable for tests.</summary>
    internal static int RefillQuietMs = DefaultRefillQuietMs;

    internal const int DefaultRefillQuietMs = 50;

    private static readonly object s_gate = new();
    private static readonly Timer s_quietRefill = new(static _ => Refill(), null, Timeout.Infinite, Timeout.Infinite);
    private static readonly List<IChildProcess> s_ready = []; // oldest first
    private static readonly List<IChildProcess> s_warming = []; // spawned, not yet known to be ready
    private static (string Program, string[] Argv, IReadOnlyDictionary<string, string> Env)? s_command;
    private static int s_count = DefaultCount;
    private static int s_spawning;
    private static int s_unexpectedDeaths;
    private static bool s_enabled;

    /// <summary>How many starts were served by a standby child (for tests).</summary>
    internal static int Handed;

    /// <summary>How many standbys were dropped because they died while waiting (for tests).</summary>
    internal static int Replaced;

    /// <summary>How many standbys were spawned (for tests).</summary>
    internal static int Spawned;

    /// <summary>Standbys to keep; 0 keeps none (every start spawns).</summary>
    public static int Count
    {
        get => s_count;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            var surplus = new List<IChildProcess>();
            lock (s_gate)
            {
                s_count = value;
                // The youngest go first: the oldest are the warmest.
                while (s_ready.Count + s_warming.Count > value)
                {
                    var list = s_warming.Count > 0 ? s_warming : s_ready;
                    surplus.Add(list[^1]);
                    list.RemoveAt(list.Count - 1);
                }
            }
            foreach (var c in surplus) Dismiss(c);
            Refill();
        }
    }

    /// <summary>Standbys warm and waiting now (for tests).</summary>
    public static IChildProcess[] Ready
    {
        get
        {
            lock (s_gate)
            {
                PromoteWarmedLocked();
                return [.. s_ready];
            }
        }
    }

    /// <summary>Turns the pool on (fills it in the background from the next start on, or now when the command is
    /// known) or off (every standby is sent away).</summary>
    public static void Enable(bool enabled)
    {
        List<IChildProcess> dismissed;
        lock (s_gate)
        {
            s_enabled = enabled && OperatingSystem.IsLinux();
            dismissed = s_enabled ? [] : [.. s_ready, .. s_warming];
            if (!s_enabled) { s_ready.Clear(); s_warming.Clear(); }
        }
        foreach (var c in dismissed) Dismiss(c);
        if (enabled) Prime();
    }

    /// <summary>Starts filling the pool now, for this program's own command line (so the first start is warm too).</summary>
    public static void Prime()
    {
        if (ChildCommand.IsSelfContainedBinary && !IpcProcess.FreezeSupportCalled) return; // children could not run targets
        (string program, string[] argv, Dictionary<string, string> env) cmd;
        try { cmd = ChildCommand.Build(); }
        catch (PlatformNotSupportedException) { return; } // no way to start a child here: starts will say so
        var (program, argv, env) = cmd;
        lock (s_gate) s_command ??= (program, argv, env);
        Refill();
    }

    /// <summary>Waits until the pool holds <see cref="Count"/> standbys; false when the timeout elapsed first.</summary>
    public static bool WaitUntilFull(TimeSpan timeout)
    {
        var deadline = Deadline.From(timeout);
        Refill(); // someone waits for the pool: no quiet time
        while (true)
        {
            Task[] pending;
            lock (s_gate)
            {
                PromoteWarmedLocked();
                if (!s_enabled || s_ready.Count >= s_count) return s_enabled;
                pending = [.. s_warming.Select(c => (Task)c.Exited)];
                if (pending.Length == 0 && s_spawning == 0) return false; // refilling paused: it will not fill
            }
            // The "waiting" notice is read by asking, not pushed: wake on a death, or look again after a short slice.
            if (deadline.HasPassed) return false;
            int slice = deadline.SliceMs(5);
            if (pending.Length > 0) Task.WaitAny(pending, slice);
            else Thread.Sleep(slice);
            PromoteWarmed();
        }
    }

    /// <summary>A live standby started with the same command (the program did not change under us), or null; either
    /// way the pool is refilled in the background: once no start came for <see cref="RefillQuietMs"/>, or at once
    /// when it runs low.</summary>
    public static IChildProcess? TryTake(string program, string[] argv, IReadOnlyDictionary<string, string> env)
    {
        IChildProcess? taken = null;
        int readyLeft;
        var dismissed = new List<IChildProcess>();
        lock (s_gate)
        {
            if (!s_enabled) return null;
            if (s_command is not { } cmd || cmd.Program != program || !cmd.Argv.SequenceEqual(argv))
            {
                // Another command line (e.g. a different apphost): the old standbys cannot serve it.
                dismissed.AddRange(s_ready);
                dismissed.AddRange(s_warming);
                s_ready.Clear();
                s_warming.Clear();
            }
            s_command = (program, argv, env);
            s_unexpectedDeaths = 0;
            PromoteWarmedLocked();
            // Warm ones first; else one still booting, which is further along than a fresh spawn.
            while ((s_ready.Count > 0 ? s_ready : s_warming) is { Count: > 0 } list)
            {
                var c = list[0];
                list.RemoveAt(0);
                // A standby killed a moment ago may not be reaped yet: its owner lock is released at death already.
                if (!c.Exited.IsCompleted && ProcessLiveness.IsAlive(c.Owner))
                {
                    taken = c;
                    Handed++;
                    break;
                }
                Replaced++;
                c.Dispose();
            }
            readyLeft = s_ready.Count;
        }
        foreach (var c in dismissed) Dismiss(c);
        if (taken is not null && readyLeft > LowWatermark) s_quietRefill.Change(RefillQuietMs, Timeout.Infinite); // re-armed by each start
        else Refill();
        return taken;
    }

    /// <summary>Standbys booting at once while the pool refills: half the CPUs, at least one.</summary>
    private static int MaxBooting => Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>How long the refill waits for one boot before it spawns the next anyway.</summary>
    private static readonly TimeSpan BootWait = TimeSpan.FromSeconds(10);

    /// <summary>Standbys left ready at or below which a start refills at once rather than after the quiet time.</summary>
    private static int LowWatermark => s_count / 4;

    /// <summary>Spawns standbys until ready + being spawned reaches <see cref="Count"/>, on a pool thread.</summary>
    private static void Refill()
    {
        lock (s_gate)
        {
            if (!s_enabled || s_command is null || s_spawning > 0 || s_unexpectedDeaths >= MaxUnexpectedDeaths) return;
            if (s_ready.Count + s_warming.Count >= s_count) return;
            s_spawning = 1;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static _ => SpawnMissing(), null);
    }

    private static void SpawnMissing()
    {
        while (true)
        {
            (string Program, string[] Argv, IReadOnlyDictionary<string, string> Env) cmd;
            lock (s_gate)
            {
                if (!s_enabled || s_command is null || s_unexpectedDeaths >= MaxUnexpectedDeaths
                    || s_ready.Count + s_warming.Count >= s_count)
                {
                    s_spawning = 0;
                    return;
                }
                cmd = s_command.Value;
            }
            IChildProcess child;
            try { child = OsLayer.Launcher.Spawn(new ChildLaunch(cmd.Program, cmd.Argv, cmd.Env, null, Daemon: false)); }
            catch (Exception)
            {
                // No standby this time: starts spawn as usual, and the next start tries again.
                lock (s_gate) { s_spawning = 0; s_unexpectedDeaths = MaxUnexpectedDeaths; }
                return;
            }
            Interlocked.Increment(ref Spawned);
            int warming;
            lock (s_gate)
            {
                s_warming.Add(child);
                PromoteWarmedLocked();
                warming = s_warming.Count;
            }
            child.Exited.ContinueWith(static (_, c) => OnExited((IChildProcess)c!), child, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            // A few boots at a time: each runtime start takes most of a CPU for tens of ms, and the starts this pool
            // serves need the CPUs too.
            if (warming >= MaxBooting) child.WaitUntilWaitingForSpec(BootWait);
        }
    }

    /// <summary>A standby exited before it was handed out: drop it and spawn a replacement.</summary>
    private static void OnExited(IChildProcess child)
    {
        bool dropped;
        lock (s_gate)
        {
            dropped = s_ready.Remove(child) | s_warming.Remove(child);
            if (dropped)
            {
                Replaced++;
                s_unexpectedDeaths++;
            }
        }
        if (!dropped) return; // handed out or dismissed: not ours any more
        child.Dispose();
        Refill();
    }

    private static void PromoteWarmed()
    {
        lock (s_gate) PromoteWarmedLocked();
    }

    /// <summary>Moves spawned standbys to the ready list: a standby can take its spec at any time once spawned (it
    /// reads it when its runtime is up), so "warming" only separates fresh spawns for <see cref="WaitUntilFull"/>.</summary>
    private static void PromoteWarmedLocked()
    {
        for (int i = 0; i < s_warming.Count; i++)
        {
            var c = s_warming[i];
            if (c.Exited.IsCompleted || !c.IsWaitingForSpec()) continue;
            s_ready.Add(c);
            s_warming.RemoveAt(i--);
        }
    }

    /// <summary>Sends a standby away: an empty spec makes it exit 0; its handle is released once it is reaped.</summary>
    private static void Dismiss(IChildProcess child)
    {
        try { child.SendSpec([]); }
        catch (InvalidOperationException) { /* handed out meanwhile: not ours */ }
        child.Dispose();
    }
}
