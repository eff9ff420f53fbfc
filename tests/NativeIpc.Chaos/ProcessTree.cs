using System.Globalization;

namespace NativeIpc.Chaos;

/// <summary>The stray-process check. The suite is a child subreaper (<see cref="Native.BecomeSubreaper"/>), so a
/// killed participant's children are re-parented here instead of escaping to init; at the end no live descendant may
/// remain but this process's own crash tracker (a <c>/bin/sh</c> that lives as long as we do). Reads /proc for the
/// process tree only; liveness of participants is checked by owner id.</summary>
internal static class ProcessTree
{
    public static void CheckStrays(Tally tally, TimeSpan grace)
    {
        var deadline = DateTime.UtcNow + grace;
        List<(int Pid, string What)> strays;
        while ((strays = Strays()).Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
        foreach (var (pid, what) in strays) tally.Leak("process", $"stray process {pid}: {what}");
    }

    private static List<(int Pid, string What)> Strays()
    {
        int self = Environment.ProcessId;
        var procs = new Dictionary<int, (int Ppid, char State, string Comm)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int close = stat.LastIndexOf(')');
                string comm = stat[(stat.IndexOf('(') + 1)..close];
                var rest = stat[(close + 2)..].Split(' ');
                procs[pid] = (int.Parse(rest[1], CultureInfo.InvariantCulture), rest[0][0], comm);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        }
        var result = new List<(int, string)>();
        var frontier = new Queue<int>([self]);
        while (frontier.Count > 0)
        {
            int parent = frontier.Dequeue();
            foreach (var (pid, (ppid, state, comm)) in procs)
            {
                if (ppid != parent) continue;
                frontier.Enqueue(pid);
                if (state is 'Z' or 'X') continue; // dead; the kernel frees it when we exit (we reap only our own children)
                if (parent == self && IsOwnTracker(pid)) continue;
                result.Add((pid, $"{comm} (state {state}, parent {ppid})"));
            }
        }
        return result;
    }

    private static bool IsOwnTracker(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains($"/dev/shm/{SegmentNames.OwnPrefix}", StringComparison.Ordinal); }
        catch (IOException) { return false; }
    }
}
