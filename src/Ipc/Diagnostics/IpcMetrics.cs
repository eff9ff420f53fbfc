using System.Diagnostics.Metrics;

namespace NativeIpc.Diagnostics;

/// <summary>The <see cref="Meter"/> named "NativeIpc" (<see cref="Multiprocessing.MeterName"/>) and its instruments.
/// Queue figures are read from the counts every queue keeps in its shared memory already (a queue's puts, gets, ring
/// bytes and depth are the same in every process that holds it); nothing is added to the put, get or lock paths.
/// Process and pool figures are counted where those rare events happen.</summary>
internal static class IpcMetrics
{
    public static readonly Meter Meter = new(Multiprocessing.MeterName);

    public static readonly Counter<long> ProcessStarts = Meter.CreateCounter<long>(
        "nativeipc.process.starts", "{process}", "Child processes started by this process.");
    public static readonly Counter<long> ProcessExits = Meter.CreateCounter<long>(
        "nativeipc.process.exits", "{process}", "Child processes of this process that exited (tag nativeipc.process.outcome: ok, error, signal).");
    public static readonly Counter<long> ProcessStartFailures = Meter.CreateCounter<long>(
        "nativeipc.process.start_failures", "{process}", "Child process starts that failed (the spawn, or the child could not run its target).");
    public static readonly Counter<long> WorkersLost = Meter.CreateCounter<long>(
        "nativeipc.pool.workers_lost", "{process}", "Pool workers that died holding or taking a task.");
    public static readonly Counter<long> AbandonedLocks = Meter.CreateCounter<long>(
        "nativeipc.lock.abandoned", "{lock}", "Locks taken over from a holder that died (IpcAbandonedLockException).");

    static IpcMetrics()
    {
        Meter.CreateObservableGauge("nativeipc.queue.depth", () => QueueRegistry.Observe(QueueField.Depth), "{item}",
            "Items in the queue now: put and not yet taken, by any process.");
        Meter.CreateObservableCounter("nativeipc.queue.puts", () => QueueRegistry.Observe(QueueField.Puts), "{item}",
            "Items put into the queue since it was created, by any process.");
        Meter.CreateObservableCounter("nativeipc.queue.gets", () => QueueRegistry.Observe(QueueField.Gets), "{item}",
            "Items taken from the queue since it was created, by any process.");
        Meter.CreateObservableCounter("nativeipc.queue.bytes", () => QueueRegistry.Observe(QueueField.Bytes), "By",
            "Bytes written into the queue's ring since it was created (records with their headers), by any process.");
        Meter.CreateObservableGauge("nativeipc.pool.pending", () => PoolRegistry.Observe(running: false), "{task}",
            "Tasks submitted to this process's pools and not yet settled.");
        Meter.CreateObservableGauge("nativeipc.pool.running", () => PoolRegistry.Observe(running: true), "{task}",
            "Tasks a worker of this process's pools is running now.");
    }

    /// <summary>Counts a child started, and its exit when it comes: tagged by outcome, and a start failure when it
    /// could not run its target (the same test <c>Join</c> makes).</summary>
    public static void OnProcessStarted(IChildProcess child)
    {
        ProcessStarts.Add(1);
        child.Exited.ContinueWith((t, state) =>
        {
            if (!t.IsCompletedSuccessfully) return;
            var report = ((IChildProcess)state!).StatusReport;
            bool startFailed = report.Length > 0 ? report[0] == ChildBootstrap.Failed : t.Result > 0;
            if (startFailed) ProcessStartFailures.Add(1);
            string outcome = startFailed ? "start_failed" : t.Result == 0 ? "ok" : t.Result > 0 ? "error" : "signal";
            ProcessExits.Add(1, new KeyValuePair<string, object?>("nativeipc.process.outcome", outcome));
        }, child, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Exception filter for a start that threw (the spawn failed): counts it and lets the exception go on.</summary>
    public static bool StartFailed(Exception e)
    {
        if (e is IOException or IpcException or UnauthorizedAccessException) ProcessStartFailures.Add(1);
        return false;
    }
}
