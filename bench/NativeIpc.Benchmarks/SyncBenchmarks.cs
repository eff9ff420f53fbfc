using BenchmarkDotNet.Attributes;
using NativeIpc;

namespace NativeIpc.Benchmarks;

/// <summary>Issue #4 figures: uncontended lock cost against System.Threading.Lock; two processes contending on one
/// IpcLock over a shared counter; IpcEvent ping-pong between two processes.</summary>
[MemoryDiagnoser(false)]
public class SyncUncontendedBenchmarks
{
    private readonly Lock _threadLock = new();
    private IpcLock _ipcLock = null!;

    [GlobalSetup]
    public void Setup() => _ipcLock = new IpcLock();

    [GlobalCleanup]
    public void Cleanup() => _ipcLock.Dispose();

    [Benchmark(Baseline = true, Description = "System.Threading.Lock enter+exit")]
    public void ThreadingLock()
    {
        using (_threadLock.EnterScope()) { }
    }

    [Benchmark(Description = "IpcLock acquire+release (uncontended)")]
    public void IpcLockAcquireRelease()
    {
        using (_ipcLock.Acquire()) { }
    }
}

/// <summary>Two processes contend on one IpcLock; the child is started and ready before the measured part begins.</summary>
public unsafe class SyncContendedBenchmarks
{
    public const int Increments = 200_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private IpcLock _lock = null!;
    private SharedSegment _counter = null!;
    private IpcEvent _ready = null!, _go = null!;
    private IpcProcess? _child;

    [Params(0, 900, 4500, 9000)] // steps of ~40 ns (SpinPhase)
    public int SpinCount { get; set; }

    public static void CounterChild(IpcLock lk, string counterName, IpcEvent ready, IpcEvent go, int spinCount)
    {
        IpcLock.SpinCount = spinCount;
        using var seg = SharedSegment.Attach(counterName, SegmentKind.RawMemory);
        long* c = (long*)seg.Payload;
        ready.Set();
        go.Wait(Wait);
        for (int i = 0; i < Increments; i++)
            using (lk.Acquire()) (*c)++;
    }

    [GlobalSetup]
    public void Setup()
    {
        _lock = new IpcLock();
        _counter = SharedSegment.Create(SegmentKind.RawMemory, sizeof(long));
        _counter.MarkReady();
        _ready = new IpcEvent();
        _go = new IpcEvent();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        IpcLock.SpinCount = 900; // the default
        _lock.Dispose(); _counter.Dispose(); _ready.Dispose(); _go.Dispose();
    }

    [IterationSetup]
    public void StartCounterChild()
    {
        IpcLock.SpinCount = SpinCount;
        *(long*)_counter.Payload = 0;
        _ready.Clear(); _go.Clear();
        _child = new IpcProcess(CounterChild, _lock, _counter.Name, _ready, _go, SpinCount).Start();
        if (!_ready.Wait(Wait)) throw new TimeoutException("child not ready");
    }

    [IterationCleanup]
    public void ReapChild()
    {
        if (_child is { } c && !c.Join(Wait)) c.Kill();
        _child?.Dispose();
        _child = null;
    }

    /// <summary>Both processes increment a plain long under the lock, 200,000 times each; per op = one locked increment.</summary>
    [Benchmark(OperationsPerInvoke = 2 * Increments, Description = "IpcLock 2 processes x 200k locked increments")]
    [InvocationCount(1)]
    public long ContendedCounter()
    {
        long* c = (long*)_counter.Payload;
        _go.Set();
        for (int i = 0; i < Increments; i++)
            using (_lock.Acquire()) (*c)++;
        if (!_child!.Join(Wait)) throw new TimeoutException("child did not finish");
        long total = *c;
        if (total != 2L * Increments) throw new InvalidOperationException($"lost updates: {total} != {2 * Increments}");
        return total;
    }
}

/// <summary>Event ping-pong between two processes, for several spin budgets (0: sleep in the kernel at once).</summary>
public class SyncPingPongBenchmarks
{
    public const int Rounds = 5_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private IpcEvent _ready = null!, _ping = null!, _pong = null!;
    private IpcProcess? _child;

    [Params(0, 900, 4500, 9000)] // steps of ~40 ns (SpinPhase)
    public int SpinCount { get; set; }

    public static void PongChild(IpcEvent ping, IpcEvent pong, IpcEvent ready, int spinCount)
    {
        IpcLock.SpinCount = spinCount;
        ready.Set();
        for (int i = 0; i < Rounds; i++)
        {
            if (!ping.Wait(Wait)) throw new TimeoutException();
            ping.Clear();
            pong.Set();
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _ready = new IpcEvent(); _ping = new IpcEvent(); _pong = new IpcEvent();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        IpcLock.SpinCount = 900; // the default
        _ready.Dispose(); _ping.Dispose(); _pong.Dispose();
    }

    [IterationSetup]
    public void StartPongChild()
    {
        IpcLock.SpinCount = SpinCount;
        _ready.Clear(); _ping.Clear(); _pong.Clear();
        _child = IpcProcess.Start(PongChild, _ping, _pong, _ready, SpinCount);
        if (!_ready.Wait(Wait)) throw new TimeoutException("child not ready");
    }

    [IterationCleanup]
    public void ReapChild()
    {
        if (_child is { } c && !c.Join(Wait)) c.Kill();
        _child?.Dispose();
        _child = null;
    }

    /// <summary>Round trip: set ping, child clears it and sets pong, parent clears pong.</summary>
    [Benchmark(OperationsPerInvoke = Rounds, Description = "IpcEvent ping-pong round trip (2 processes)")]
    [InvocationCount(1)]
    public void EventPingPong()
    {
        for (int i = 0; i < Rounds; i++)
        {
            _ping.Set();
            if (!_pong.Wait(Wait)) throw new TimeoutException();
            _pong.Clear();
        }
    }
}
