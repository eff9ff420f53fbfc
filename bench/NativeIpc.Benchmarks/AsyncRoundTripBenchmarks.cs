using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using NativeIpc;

namespace NativeIpc.Benchmarks;

/// <summary>Async ping-pong against the synchronous one, in the same run: a child echoes 8-byte messages over two
/// queues (or one pipe); in the async rows both sides await (GetAsync/PutAsync, RecvAsync/SendAsync).</summary>
public class AsyncRoundTripBenchmarks
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    public const int RoundTrips = 20_000;

    private IpcQueue<long> _requests = null!, _replies = null!;
    private Connection _mine = null!, _theirs = null!;
    private IpcProcess _child = null!;

    public static void QueueEcho(IpcQueue<long> requests, IpcQueue<long> replies)
    {
        while (true)
        {
            long v = requests.Get(Wait);
            if (v < 0) return;
            replies.Put(v, Wait);
        }
    }

    public static void QueueEchoAsync(IpcQueue<long> requests, IpcQueue<long> replies) => Run(async () =>
    {
        while (true)
        {
            long v = await requests.GetAsync();
            if (v < 0) return;
            await replies.PutAsync(v);
        }
    });

    public static void PipeEcho(Connection conn)
    {
        while (true)
        {
            long v = conn.Recv<long>(Wait);
            if (v < 0) return;
            conn.Send(v);
        }
    }

    public static void PipeEchoAsync(Connection conn) => Run(async () =>
    {
        while (true)
        {
            long v = await conn.RecvAsync<long>();
            if (v < 0) return;
            await conn.SendAsync(v);
        }
    });

    private static void Run(Func<Task> f) => Task.Run(f).GetAwaiter().GetResult();

    [GlobalSetup(Targets = [nameof(QueueSync), nameof(QueueAsync)])]
    public void SetupQueue()
    {
        _requests = new IpcQueue<long>();
        _replies = new IpcQueue<long>();
    }

    [GlobalSetup(Targets = [nameof(PipeSync), nameof(PipeAsync)])]
    public void SetupPipe() => (_mine, _theirs) = Connection.CreatePipe();

    [IterationSetup(Target = nameof(QueueSync))]
    public void StartQueueSync() => _child = IpcProcess.Start(QueueEcho, _requests, _replies);

    [IterationSetup(Target = nameof(QueueAsync))]
    public void StartQueueAsync() => _child = IpcProcess.Start(QueueEchoAsync, _requests, _replies);

    [IterationSetup(Target = nameof(PipeSync))]
    public void StartPipeSync() => _child = IpcProcess.Start(PipeEcho, _theirs);

    [IterationSetup(Target = nameof(PipeAsync))]
    public void StartPipeAsync() => _child = IpcProcess.Start(PipeEchoAsync, _theirs);

    [IterationCleanup]
    public void StopChild()
    {
        if (_requests is not null) _requests.Put(-1);
        else _mine.Send(-1L);
        _child.Join(Wait);
        _child.Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _requests?.Dispose();
        _replies?.Dispose();
        _mine?.Dispose();
        _theirs?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = RoundTrips, Baseline = true, Description = "queue round trip, sync")]
    public void QueueSync()
    {
        for (long i = 0; i < RoundTrips; i++)
        {
            _requests.Put(i);
            if (_replies.Get(Wait) != i) throw new InvalidOperationException("wrong echo");
        }
    }

    [Benchmark(OperationsPerInvoke = RoundTrips, Description = "queue round trip, async (both sides await)")]
    public async Task QueueAsync()
    {
        for (long i = 0; i < RoundTrips; i++)
        {
            await _requests.PutAsync(i);
            if (await _replies.GetAsync() != i) throw new InvalidOperationException("wrong echo");
        }
    }

    [Benchmark(OperationsPerInvoke = RoundTrips, Description = "pipe round trip, sync")]
    public void PipeSync()
    {
        for (long i = 0; i < RoundTrips; i++)
        {
            _mine.Send(i);
            if (_mine.Recv<long>(Wait) != i) throw new InvalidOperationException("wrong echo");
        }
    }

    [Benchmark(OperationsPerInvoke = RoundTrips, Description = "pipe round trip, async (both sides await)")]
    public async Task PipeAsync()
    {
        for (long i = 0; i < RoundTrips; i++)
        {
            await _mine.SendAsync(i);
            if (await _mine.RecvAsync<long>() != i) throw new InvalidOperationException("wrong echo");
        }
    }
}

/// <summary>Wake latency after a long idle wait: the consumer waits, a child sleeps <see cref="IdleMs"/> ms then puts
/// its Stopwatch timestamp (CLOCK_MONOTONIC: the same in both processes); the figure is the time from that put to the
/// consumer holding the item. Run with <c>wake-latency [samples]</c>; prints median/min/max per way of waiting:
/// <list type="bullet">
/// <item><c>Get</c>: a thread blocked in the synchronous get (one kernel wake).</item>
/// <item><c>await GetAsync</c>: an async reader, timed in its continuation (as a service's consumer loop runs):
/// kernel wakes the parker thread, which completes the wait on the thread pool. Also split into kernel → parker
/// (<see cref="AsyncParker.LastWakeTimestamp"/>) and parker → continuation.</item>
/// <item><c>GetAsync().GetResult()</c>: a thread blocked on the async call's task (one more wake: the blocked thread).</item>
/// </list></summary>
public static class WakeLatency
{
    public const int IdleMs = 1000;

    public static void PutStampsAfterIdle(IpcQueue<long> q, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Thread.Sleep(IdleMs);
            q.Put(Stopwatch.GetTimestamp());
        }
    }

    private enum Way { Get, AwaitGetAsync, BlockOnGetAsync }

    public static void Measure(int samples)
    {
        foreach (var way in new[] { Way.Get, Way.AwaitGetAsync, Way.BlockOnGetAsync, Way.Get, Way.AwaitGetAsync, Way.BlockOnGetAsync })
        {
            using var q = new IpcQueue<long>();
            using var child = IpcProcess.Start(PutStampsAfterIdle, q, samples);
            var us = new List<double>();
            var toParker = new List<double>();
            int inline = 0;
            if (way == Way.AwaitGetAsync)
            {
                Task.Run(async () =>
                {
                    for (int i = 0; i < samples; i++)
                    {
                        long stamp = await q.GetAsync();
                        long now = Stopwatch.GetTimestamp();
                        us.Add(Stopwatch.GetElapsedTime(stamp, now).TotalMicroseconds);
                        if (Thread.CurrentThread.Name?.StartsWith("NativeIpc async parker", StringComparison.Ordinal) == true) inline++;
                        long woke = AsyncParker.LastWakeTimestamp;
                        if (woke >= stamp && woke <= now) toParker.Add(Stopwatch.GetElapsedTime(stamp, woke).TotalMicroseconds);
                    }
                }).GetAwaiter().GetResult();
            }
            else
            {
                for (int i = 0; i < samples; i++)
                {
                    long stamp = way == Way.Get ? q.Get(TimeSpan.FromSeconds(60)) : q.GetAsync().AsTask().GetAwaiter().GetResult();
                    us.Add(Stopwatch.GetElapsedTime(stamp).TotalMicroseconds);
                }
            }
            child.Join(TimeSpan.FromSeconds(60));
            string name = way switch { Way.Get => "Get                     ", Way.AwaitGetAsync => "await GetAsync          ", _ => "GetAsync().GetResult()  " };
            string split = toParker.Count > 0 ? $"; of which put -> parker thread awake: median {Median(toParker):F1} µs ({toParker.Count} seen)" : "";
            if (way == Way.AwaitGetAsync) split += $"; continuation ran on the parker thread {inline}/{samples}";
            Console.WriteLine($"wake latency after {IdleMs} ms idle, {name}: median {Median(us):F1} µs, min {us.Min():F1} µs, max {us.Max():F1} µs ({samples} samples){split}");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }
}
