namespace NativeIpc.Process;

/// <summary>The threads a child's target starts, so the child waits for the foreground ones before it exits, as
/// returning from <c>Main</c> does (and Python does for non-daemon threads). .NET cannot list threads, so an
/// <see cref="AsyncLocal{T}"/> with a change handler sees each thread that starts running under the target's execution
/// context: every <see cref="Thread.Start()"/> from the target or its threads, but not <see cref="Thread.UnsafeStart()"/>
/// nor starts under <see cref="ExecutionContext.SuppressFlow"/>.</summary>
internal static class ForegroundThreads
{
    private static readonly object s_gate = new();
    private static readonly List<Thread> s_seen = [];
    private static readonly AsyncLocal<object?> s_marker = new(OnContextChanged);

    [ThreadStatic] private static bool t_seen;

    /// <summary>Marks the current execution context: threads started from it from now on are seen.</summary>
    public static void TrackFromHere()
    {
        s_threadsBefore = OsThreads();
        s_marker.Value = s_gate;
    }

    /// <summary>Runs the thread listing once (a standby warming its exit path); tracks nothing.</summary>
    public static void Warm() => _ = OsThreads();

    /// <summary>The OS threads (Linux: /proc/self/task) alive when tracking began; null where they cannot be listed.</summary>
    private static HashSet<string>? s_threadsBefore;

    private static HashSet<string>? OsThreads()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            // A loop, not LINQ: a child lists its threads before and after every target, and System.Linq is not
            // otherwise loaded there.
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dir in Directory.EnumerateDirectories("/proc/self/task")) names.Add(Path.GetFileName(dir));
            return names;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>True when every OS thread alive now was alive before the target ran: then no thread the target
    /// started can still be on its way to being seen, and the settle wait is not needed.</summary>
    private static bool NoNewOsThread()
    {
        if (s_threadsBefore is not { } before || OsThreads() is not { } now) return false;
        return now.IsSubsetOf(before);
    }

    /// <summary>Joins every seen thread that is alive and not background, until none is left (a thread being joined
    /// may start more, or turn another foreground).</summary>
    public static void WaitForAll()
    {
        bool settled = false;
        while (true)
        {
            Thread? next;
            lock (s_gate)
            {
                s_seen.RemoveAll(t => !t.IsAlive);
                next = null;
                foreach (var t in s_seen)
                    if (t != Thread.CurrentThread && IsForeground(t)) { next = t; break; }
            }
            if (next is null)
            {
                if (settled || NoNewOsThread()) return;
                // Thread.Start returns before the new thread runs under its context (where it is seen): give threads
                // started just before the target returned a moment to show up (seen to be missed under load).
                settled = true;
                Thread.Sleep(SettleMs);
                continue;
            }
            next.Join();
        }
    }

    /// <summary>How long the last check waits for threads started just before the target returned.</summary>
    private const int SettleMs = 5;

    private static void OnContextChanged(AsyncLocalValueChangedArgs<object?> args)
    {
        // Runs on the thread whose context changed: at the start of a thread started under the marked context.
        if (!args.ThreadContextChanged || args.CurrentValue is null || t_seen) return;
        var thread = Thread.CurrentThread;
        if (thread.IsThreadPoolThread) return; // pool threads are background and outlive any one work item
        t_seen = true;
        lock (s_gate) s_seen.Add(thread);
    }

    private static bool IsForeground(Thread t)
    {
        try { return !t.IsBackground; }
        catch (ThreadStateException) { return false; } // ended since IsAlive was read
    }
}
