using System.Globalization;
namespace NativeIpc.Os;

/// <summary>Is the process that holds a lock still there? On Linux a pid plus its start time (field 22 of
/// <c>/proc/&lt;pid&gt;/stat</c>, in clock ticks since boot) names one process for good, so a recycled pid is not mistaken
/// for the dead holder; zombies count as dead. Elsewhere only the pid is checked (a recycled pid keeps the lock held).</summary>
internal static class ProcessLiveness
{
    /// <summary>Largest owner id: ids fit in 30 bits so a word can keep two flag bits beside one.</summary>
    public const int OwnerMask = 0x3FFF_FFFF;

    /// <summary>This process's owner id: what every primitive stores in shared memory as "the owning process"
    /// (lock words, queue claims and records, pipe holders, barrier, segment creators). Nonzero, at most
    /// <see cref="OwnerMask"/>.</summary>
    public static int Self { get; } = Environment.ProcessId;

    /// <summary>False only when the process that stored <paramref name="owner"/> is certainly gone; 0 (no owner)
    /// is not alive.</summary>
    public static bool IsAlive(int owner) => owner > 0 && IsAlive(owner, startTime: 0);

    private static long s_ownStartTime = -1;

    /// <summary>This process's start time (0 when not known).</summary>
    public static long OwnStartTime
    {
        get
        {
            long v = Volatile.Read(ref s_ownStartTime);
            if (v < 0) Volatile.Write(ref s_ownStartTime, v = StartTime(Environment.ProcessId));
            return v;
        }
    }

    /// <summary>The start time of <paramref name="pid"/>, or 0 if unknown.</summary>
    public static long StartTime(int pid) => ReadStat(pid, out _, out long start) ? start : 0;

    /// <summary>False when <paramref name="pid"/> is gone, a zombie, or another process started since
    /// (<paramref name="startTime"/> != 0 and differs).</summary>
    public static bool IsAlive(int pid, long startTime)
    {
        if (pid == Environment.ProcessId) return true;
        if (!OperatingSystem.IsLinux()) return OsLayer.Launcher.IsRunning(pid);
        if (!ReadStat(pid, out char state, out long start)) return OsLayer.Launcher.IsRunning(pid) && Directory.Exists("/proc/" + pid);
        if (state is 'Z' or 'X' or 'x') return false;
        return startTime == 0 || start == startTime;
    }

    private static bool ReadStat(int pid, out char state, out long startTime)
    {
        state = '?';
        startTime = 0;
        if (!OperatingSystem.IsLinux()) return false;
        string text;
        try { text = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat"); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
        // "pid (comm) S ppid ..." — comm may hold spaces and ')', so fields are counted after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0) return false;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20) return false;
        state = fields[0][0];            // field 3
        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out startTime); // field 22
    }
}
