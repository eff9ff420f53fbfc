using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using NativeIpc.Tests.Pool;
using NativeIpc.Tests.Sync;
using NUnit.Framework;

namespace NativeIpc.Tests.Diagnostics;

/// <summary>The "NativeIpc" meter as a MeterListener sees it, and the logger hook. Counters are process-wide and other
/// tests run beside these, so counters are checked as increases and queue figures by this test's queue name.</summary>
[NonParallelizable]
public class MetricsTests : ChildProcessFixture
{
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        /// <summary>Counter measurements as they happen, kept.</summary>
        public readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> Seen = new();
        /// <summary>Observable instruments' values from the last <see cref="Observe"/>.</summary>
        private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> _observed = new();

        public Recorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Multiprocessing.MeterName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var d = new Dictionary<string, object?>();
                foreach (var t in tags) d[t.Key] = t.Value;
                (instrument.IsObservable ? _observed : Seen).Enqueue((instrument.Name, value, d));
            });
            _listener.Start();
        }

        public long Sum(string instrument) => Seen.Where(m => m.Instrument == instrument).Sum(m => m.Value);

        /// <summary>The latest observed value of a queue instrument for the queue named <paramref name="queue"/>.</summary>
        public long? Queue(string instrument, string queue)
            => Observe().Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("nativeipc.queue.name"), queue))
                       .Select(m => (long?)m.Value).LastOrDefault();

        public long Observed(string instrument) => Observe().Where(m => m.Instrument == instrument).Sum(m => m.Value);

        private List<(string Instrument, long Value, Dictionary<string, object?> Tags)> Observe()
        {
            while (_observed.TryDequeue(out _)) { }
            _listener.RecordObservableInstruments();
            return _observed.ToList();
        }

        public void Dispose() => _listener.Dispose();
    }

    public static void PutThree(IpcQueue<int> q)
    {
        for (int i = 0; i < 3; i++) q.Put(i);
    }

    [Test]
    public void Queue_Figures_AreTheQueuesSharedCounts_AndProcessStartsAndExitsAreCounted()
    {
        using var rec = new Recorder();
        using var q = new IpcQueue<int>();
        var child = Track(IpcProcess.Start(PutThree, q));
        JoinOrFail(child);
        Assert.That(q.Get(ChildTimeout), Is.EqualTo(0));

        // Put by the child, taken here: the figures are the queue's, whichever process did it.
        Assert.That(rec.Queue("nativeipc.queue.depth", q.Name), Is.EqualTo(2));
        Assert.That(rec.Queue("nativeipc.queue.puts", q.Name), Is.EqualTo(3));
        Assert.That(rec.Queue("nativeipc.queue.gets", q.Name), Is.EqualTo(1));
        Assert.That(rec.Queue("nativeipc.queue.bytes", q.Name), Is.GreaterThanOrEqualTo(3 * 20), "three records of a 4-byte item and a header each");

        Assert.That(rec.Sum("nativeipc.process.starts"), Is.GreaterThanOrEqualTo(1));
        Assert.That(Eventually(() => rec.Seen.Any(m => m.Instrument == "nativeipc.process.exits" && Equals(m.Tags.GetValueOrDefault("nativeipc.process.outcome"), "ok")), ChildTimeout),
            Is.True, "the child's exit was counted");

        q.Dispose();
        Assert.That(rec.Queue("nativeipc.queue.depth", q.Name), Is.Null, "a disposed queue is no longer reported");
    }

    [Test]
    public void AbandonedLock_LostWorker_AndPoolGauges_AreReported()
    {
        using var rec = new Recorder();
        using (var lk = new IpcLock())
        using (var acquired = new IpcEvent())
        {
            var holder = Track(IpcProcess.Start(SyncChildTargets.HoldLockForever, lk, acquired));
            Assert.That(acquired.Wait(ChildTimeout), Is.True, "child never took the lock");
            holder.Kill();
            Assert.Throws<IpcAbandonedLockException>(() => lk.Acquire(ChildTimeout));
            lk.Release();
        }
        Assert.That(rec.Sum("nativeipc.lock.abandoned"), Is.GreaterThanOrEqualTo(1));

        using var pool = new ProcessPool(1);
        var slow = pool.ApplyAsync(PoolTargets.SleepThenReturn, 1500);
        var queued = pool.ApplyAsync(PoolTargets.Square, 3);
        Assert.That(Eventually(() => rec.Observed("nativeipc.pool.running") >= 1, ChildTimeout), Is.True, "a running task is reported");
        Assert.That(rec.Observed("nativeipc.pool.pending"), Is.GreaterThanOrEqualTo(2), "the running task and the one queued behind it");
        Assert.That(slow.Get(ChildTimeout) + queued.Get(ChildTimeout), Is.EqualTo(1509));

        var lost = pool.ApplyAsync(PoolTargets.Exit, 3);
        Assert.Throws<IpcWorkerLostException>(() => lost.Get(ChildTimeout));
        Assert.That(Eventually(() => rec.Sum("nativeipc.pool.workers_lost") >= 1, ChildTimeout), Is.True, "the lost worker was counted");
    }

    private sealed class ListLoggerFactory : ILoggerFactory
    {
        public readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }

        private sealed class Logger(ListLoggerFactory owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    [Test]
    public void Pool_ThatGivesUp_LogsThroughTheLoggerFactory()
    {
        var logs = new ListLoggerFactory();
        var before = Multiprocessing.LoggerFactory;
        Multiprocessing.LoggerFactory = logs;
        try
        {
            using var pool = new ProcessPool(1, initializer: (Action<string>)PoolTargets.FailInitializer, initArgs: ["always"]);
            var pending = pool.ApplyAsync(PoolTargets.Square, 2);
            Assert.Throws<IpcPoolBrokenException>(() => pending.Get(ChildTimeout));
            Assert.That(logs.Entries.Count(x => x.Category == "NativeIpc.ProcessPool" && x.Level == LogLevel.Warning && x.Message.Contains("failed to start")),
                Is.GreaterThanOrEqualTo(1));
            Assert.That(logs.Entries.Any(x => x.Level == LogLevel.Error && x.Message.Contains("the pool is broken")), Is.True);
        }
        finally { Multiprocessing.LoggerFactory = before; }
    }
}
