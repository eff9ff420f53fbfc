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

    /// <summary>Creates <paramref name="path"/>: a forged task naming this must never run.</summary>
    public static int Touch(string path)
    {
        File.WriteAllText(path, "ran");
        return 1;
    }

    /// <summary>Mappings this worker has now (lines of /proc/self/maps); touches <paramref name="array"/> so it is attached.</summary>
    public static int MappingCount(SharedArray<int> array)
    {
        _ = array[0];
        return File.ReadAllLines("/proc/self/maps").Length;
    }

    /// <summary>Initializer: the first task take after <paramref name="marker"/> appears SIGKILLs this worker between
    /// the ring's take and the task id reaching the worker's slot.</summary>
    public static void KillOnceAfterTake(string marker)
        => QueueRing.AfterTakeHook = () =>
        {
            try { File.Move(marker, marker + ".taken"); }
            catch (FileNotFoundException) { return; }
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        };

    /// <summary>Counts itself in <paramref name="started"/>[0] as it starts, then sleeps: a cancelled map's queued
    /// tasks must stop adding to the count.</summary>
    public static int CountThenSleep(SharedArray<int> started, int ms)
    {
        Interlocked.Increment(ref started[0]);
        Thread.Sleep(ms);
        return ms;
    }

    /// <summary><see cref="CountThenSleep"/> for 50 ms, for one-argument maps.</summary>
    public static int CountThenSleepBriefly(SharedArray<int> started) => CountThenSleep(started, 50);

    /// <summary>An initializer that always fails: every worker dies before it is ready.</summary>
    public static void FailInitializer(string why) => throw new InvalidOperationException(why);
}
