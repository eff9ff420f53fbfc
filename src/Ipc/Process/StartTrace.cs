namespace NativeIpc.Process;

/// <summary>Where a child's start and exit spend their time: with <c>NATIVEIPC_START_TRACE=1</c> in the parent's
/// environment (children inherit it) each phase prints one line to stderr: wall-clock time (µs of the Unix epoch, to
/// line up with the parent's lines and with strace), ms since the process started, and the JIT's method count and time
/// so far. Off, each mark is one static read.</summary>
internal static class StartTrace
{
    /// <summary>The variable that turns the trace on.</summary>
    public const string Variable = "NATIVEIPC_START_TRACE";

    public static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Prints one line for <paramref name="phase"/> when the trace is on.</summary>
    public static void Mark(string phase)
    {
        if (!Enabled) return;
        var now = DateTime.UtcNow;
        double sinceStart = (now - StartTime).TotalMilliseconds;
        long epochUs = (now - DateTime.UnixEpoch).Ticks / 10;
        Console.Error.WriteLine(
            $"[start-trace pid {Environment.ProcessId}] {epochUs} us  +{sinceStart,7:F2} ms  jit {System.Runtime.JitInfo.GetCompiledMethodCount(),5} methods {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,7:F2} ms  {phase}");
        Console.Error.Flush();
    }

    private static readonly DateTime StartTime = Enabled ? ReadStartTime() : default;

    private static DateTime ReadStartTime()
    {
        try { return System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(); }
        catch (Exception e) when (e is InvalidOperationException or PlatformNotSupportedException or System.ComponentModel.Win32Exception) { return DateTime.UtcNow; }
    }
}
