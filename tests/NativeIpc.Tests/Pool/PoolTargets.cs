namespace NativeIpc.Tests.Pool;

/// <summary>Functions the pool tests run in workers.</summary>
public static class PoolTargets
{
    public static int Square(int x) => x * x;

    public static int Add(int a, int b) => a + b;

    public static string Describe(string s, int n) => $"{s}:{n}";

    public static int Pid() => Environment.ProcessId;

    /// <summary>Sleeps <paramref name="ms"/> then returns it: slow items for laziness and timeout tests.</summary>
    public static int SleepThenReturn(int ms)
    {
        Thread.Sleep(ms);
        return ms;
    }

    public static int ThrowIfNegative(int x) => x < 0 ? throw new InvalidOperationException($"negative: {x}") : x;

    /// <summary>Writes this worker's pid to <paramref name="path"/>, then sleeps long enough to be killed mid-task.</summary>
    public static int WritePidThenSleep(string path, int ms)
    {
        File.WriteAllText(path + ".tmp", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(path + ".tmp", path, overwrite: true);
        Thread.Sleep(ms);
        return 0;
    }

    public static int Exit(int code)
    {
        Environment.Exit(code);
        return 0;
    }

    private static string s_greeting = "none";

    public static void SetGreeting(string greeting, int n) => s_greeting = $"{greeting}{n}";

    public static string Greeting(int x) => $"{s_greeting}:{x}";
}
