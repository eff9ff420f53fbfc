using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>value-incr-lock, value-incr-atomic and lock-contention: two children each do n operations on one shared
/// object. Both report "ready", then spin on a shared "go" flag (so they really start together); timed from go to
/// the later finisher. Fresh children per run, as Python's side; their start is not timed.</summary>
internal sealed class Contention(string name) : IWorkload
{
    public const string ValueUnderLock = "value-incr-lock";
    public const string ValueAtomic = "value-incr-atomic";
    public const string Lock = "lock-contention";

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        int n = settings.CountOf(name);
        return Sampler.Repeat(settings, () => name switch
        {
            ValueUnderLock or ValueAtomic => ValueRound(n, atomic: name == ValueAtomic),
            Lock => LockRound(n),
            _ => throw new ArgumentException($"No NativeIpc contention workload '{name}'."),
        });
    }

    private static double ValueRound(int n, bool atomic)
    {
        using var value = SharedValue<long>.Create(0, withLock: !atomic);
        double rate = Round(n, (go, done) => IpcProcess.Start(IncrementValue, value, go, done, n, atomic));
        VerificationException.Check(value.Value == 2L * n, $"value {value.Value}, expected {2L * n}");
        return rate;
    }

    private static double LockRound(int n)
    {
        using var shared = new IpcLock();
        return Round(n, (go, done) => IpcProcess.Start(AcquireRelease, shared, go, done, n));
    }

    /// <summary>Starts two contenders, lets them go together, returns operations per second; checks both did n.</summary>
    private static double Round(int n, Func<SharedValue<int>, IpcQueue<ContenderReport>, IpcProcess> start)
    {
        using var go = SharedValue<int>.Create(0);
        using var done = new IpcQueue<ContenderReport>(4096);
        using var children = new Children();
        for (int k = 0; k < 2; k++) children.Add(start(go, done));
        for (int k = 0; k < 2; k++) VerificationException.Check(done.Get(Children.Limit) == ContenderReport.Ready, "child did not start");
        long t0 = Stopwatch.GetTimestamp();
        go.Value = 1;
        var a = done.Get(Children.Limit);
        var b = done.Get(Children.Limit);
        children.JoinAll();
        VerificationException.Check(a.Count + b.Count == 2L * n, $"{a.Count + b.Count} operations, expected {2L * n}");
        return 2.0 * n / Sampler.Seconds(t0, Math.Max(a.EndTicks, b.EndTicks));
    }

    private static void WaitForGo(SharedValue<int> go, IpcQueue<ContenderReport> done)
    {
        done.Put(ContenderReport.Ready);
        // Spin without ever sleeping: a 1 ms sleep would let the other contender run alone.
        var spin = new SpinWait();
        while (go.Value == 0) spin.SpinOnce(sleep1Threshold: -1);
    }

    /// <summary>Python: <c>with v.get_lock(): v.value += 1</c>, or (atomic) NativeIpc's lock-free
    /// <see cref="SharedValue{T}.Increment"/>, which Python does not have.</summary>
    private static void IncrementValue(SharedValue<long> value, SharedValue<int> go, IpcQueue<ContenderReport> done, int n, bool atomic)
    {
        WaitForGo(go, done);
        if (atomic)
        {
            for (int i = 0; i < n; i++) value.Increment();
        }
        else
        {
            var valueLock = value.GetLock();
            for (int i = 0; i < n; i++)
                using (valueLock.Acquire())
                    value.Value += 1; // a plain read-modify-write: only the lock makes the total come out right
        }
        done.Put(new ContenderReport(n, Stopwatch.GetTimestamp()));
    }

    private static void AcquireRelease(IpcLock shared, SharedValue<int> go, IpcQueue<ContenderReport> done, int n)
    {
        WaitForGo(go, done);
        long count = 0;
        for (int i = 0; i < n; i++)
            using (shared.Acquire())
                count++;
        done.Put(new ContenderReport(count, Stopwatch.GetTimestamp()));
    }
}
