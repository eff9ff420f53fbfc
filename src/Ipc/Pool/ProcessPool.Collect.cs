using System.Collections.Concurrent;
using NativeIpc.Pool;

namespace NativeIpc;

// Reading the result queue. One reader at a time holds the claim (_claim) and routes each result to its task in
// queue order (a worker-lost notice must find the result its worker put before dying already applied). There are
// two kinds of reader: the collector thread, and a caller blocked in Apply or AsyncResult.Get/Wait, which reads
// results itself rather than wait for the collector to read its result and wake it: one wake fewer per round trip,
// and on 2 cores one party fewer wanting a CPU. While such callers read, the collector stands aside (asleep on a
// monitor, not on the queue, so a result wakes only the callers); it is woken when it has work only it may do.
// Outcomes that run user code (callbacks, progress reports) always run on the collector thread, outside the claim:
// a reader hands them over (_handOver), so a slow callback holds up no reader.
public sealed partial class ProcessPool
{
    private int _claim;          // managed thread id of the reader of the result queue; 0: none
    private int _readers;        // callers reading results themselves (or about to: Apply counts before it submits)
    private int _collectorAside; // 1 while the collector sleeps on _asideGate
    private readonly object _asideGate = new();
    private readonly ConcurrentQueue<HandOver> _handOver = new();
    private volatile bool _reconcileNeeded; // a worker died mid-take: the collector looks for the task it took
    private volatile bool _resultsEnded;    // Join/Terminate ended the result queue: the collector drains it and stops

    /// <summary>Most spin steps a reading caller takes (plain reads) before it sleeps on the result queue: ~75 µs on
    /// the 2-vCPU machines (a step is one ~40 ns pause, SpinPhase), ample for a worker that has a CPU, far less than a queue's budget
    /// (NATIVEIPC_QUEUE_SPIN=0 still turns it off). bench/NativeIpc.Benchmarks pool-spin measures the choice.</summary>
    internal static int ReaderSpin = Math.Min(WaitTuning.QueueSpin, PoolSpinSteps);

    private const int PoolSpinSteps = 1800;

    private readonly AdaptiveSpin _readerSpin = new(); // how long reading callers spin: as long as it pays
    private readonly AdaptiveSpin _collectorSpin = new();

    /// <summary>An outcome that runs user code, for the collector thread to apply.</summary>
    private readonly record struct HandOver(PendingTask Task, byte Status, BinaryReader? Body, Exception? Error);

    private const int ReconcileIntervalMs = 250;

    // ------------------------------------------------------------------ the collector thread

    private void CollectResults()
    {
        try
        {
            // Held for the collector's life: the queue's words it sleeps on stay mapped even if Dispose comes first.
            try { _results.Hold(); }
            catch (ObjectDisposedException) { return; }
            try { CollectUntilClosed(_results.Ring); }
            catch (ObjectDisposedException) { }
            finally { _results.Leave(); }
        }
        finally
        {
            RunHandOvers();
            _collectorDone.TrySetResult();
            SignalLostNoticeSettled(); // a monitor waiting for a notice stops waiting for a collector that has ended
        }
    }

    private void CollectUntilClosed(QueueRing ring)
    {
        int me = Environment.CurrentManagedThreadId;
        while (true)
        {
            RunHandOvers();
            if (StandAside()) continue;
            bool reconcile = _reconcileNeeded;
            if (TryClaim(me))
            {
                TakeOutcome outcome;
                try
                {
                    outcome = Drain(null);
                    if (_takingDeaths.Count > 0) Reconcile();
                    _reconcileNeeded = _takingDeaths.Count > 0;
                }
                finally { ReleaseClaim(ring); }
                if (outcome == TakeOutcome.Closed) return;
                RunHandOvers();
            }
            // Spin while results come fast (a map of small tasks), sleep at once while they do not (long tasks: a
            // spinning collector would take a CPU from a worker).
            var spin = _collectorSpin.Start(ReaderSpin);
            while (!CollectorReady(ring) && spin.Spin()) { }
            bool slept = !CollectorReady(ring);
            if (slept || spin.Count > 0) _collectorSpin.Record(slept);
            if (!slept) continue;
            // While a worker's death mid-take is unexplained, wake up regularly to look for the task it took.
            var deadline = reconcile ? Deadline.FromMilliseconds(ReconcileIntervalMs) : Deadline.Infinite;
            ring.DataEvent.Wait(static s => s.Pool.CollectorReady(s.Ring), (Pool: this, Ring: ring), deadline,
                WaitTuning.LivenessSliceMs, CancellationToken.None);
        }
    }

    private bool CollectorReady(QueueRing ring)
        => (Volatile.Read(ref _claim) == 0 && (ring.IsReadableAtHead || ring.HasEnded(checkLiveness: false)))
           || !_handOver.IsEmpty || ShouldStandAside;

    /// <summary>Work only the collector does: callbacks to run, a lost task to look for, the queue's end to see.</summary>
    private bool CollectorHasWork => !_handOver.IsEmpty || _reconcileNeeded || _resultsEnded;

    private bool ShouldStandAside => Volatile.Read(ref _readers) > 0 && !CollectorHasWork;

    /// <summary>Sleeps while callers read the results, until <see cref="NudgeCollector"/>; true if it slept.</summary>
    private bool StandAside()
    {
        if (!ShouldStandAside) return false;
        lock (_asideGate)
        {
            Volatile.Write(ref _collectorAside, 1);
            Interlocked.MemoryBarrier(); // the state below is read after the flag is visible: a nudger sees one or the other
            try
            {
                // Asleep until nudged, even once the readers are gone: with no task pending there is nothing to read,
                // and whoever leaves a task pending (a reader leaving, a submit) nudges.
                if (ShouldStandAside) Monitor.Wait(_asideGate);
            }
            finally { Volatile.Write(ref _collectorAside, 0); }
        }
        return true;
    }

    /// <summary>Wakes the collector if it stands aside (after the caller changed what it looks at).</summary>
    private void NudgeCollector()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _collectorAside) == 0) return;
        lock (_asideGate) Monitor.PulseAll(_asideGate);
    }

    /// <summary>Ends the result queue (no worker is left to put results): the collector drains it and stops.</summary>
    private void EndResults()
    {
        _resultsEnded = true;
        _results.Ring.Complete();
        NudgeCollector();
    }

    private void RunHandOvers()
    {
        bool ran = false;
        while (_handOver.TryDequeue(out var h))
        {
            ran = true;
            if (h.Error is { } error) h.Task.Job.ChunkFailed(h.Task.Chunk, error);
            else Apply(h.Task, h.Status, h.Body!);
        }
        // A reader may wait for one of these tasks while asleep on the queue.
        if (ran) WakeReaders();
    }

    // ------------------------------------------------------------------ reading callers

    /// <summary>Counts a caller that will wait for its task by reading results (before it submits the task, so the
    /// submit need not wake the collector); <see cref="WaitReading"/> with <c>counted</c> (or <see cref="LeaveReading"/>) uncounts it.</summary>
    internal void EnterReading() => Interlocked.Increment(ref _readers);

    /// <summary>Waits until <paramref name="task"/> completes, reading results meanwhile; false when the deadline passed.</summary>
    /// <param name="task">The caller's task.</param>
    /// <param name="deadline">When to give up.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <param name="counted">The caller already called <see cref="EnterReading"/>.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal bool WaitReading(Task task, Deadline deadline, CancellationToken cancellationToken, bool counted)
    {
        if (!counted) EnterReading();
        try
        {
            if (task.IsCompleted) return true;
            try { _results.Hold(); }
            catch (ObjectDisposedException) { return WaitPlain(task, deadline, cancellationToken); }
            try { return ReadUntil(task, _results.Ring, deadline, cancellationToken); }
            finally { _results.Leave(); }
        }
        finally { LeaveReading(); }
    }

    /// <summary>Uncounts a reader. The last one leaving with tasks still pending hands the reading back to the collector.</summary>
    internal void LeaveReading()
    {
        if (Interlocked.Decrement(ref _readers) == 0 && !_pending.IsEmpty) NudgeCollector();
    }

    private static bool WaitPlain(Task task, Deadline deadline, CancellationToken cancellationToken)
    {
        try { return task.Wait(deadline.RemainingMilliseconds, cancellationToken); }
        catch (AggregateException) { return true; }
    }

    private bool ReadUntil(Task task, QueueRing ring, Deadline deadline, CancellationToken cancellationToken)
    {
        int me = Environment.CurrentManagedThreadId;
        if (Volatile.Read(ref _claim) == me) return WaitPlain(task, deadline, cancellationToken); // never re-entered; be safe
        var spin = _readerSpin.Start(ReaderSpin);
        bool slept = false;
        try { return ReadLoop(task, ring, deadline, cancellationToken, me, ref spin, ref slept); }
        finally { if (slept || spin.Count > 0) _readerSpin.Record(slept); }
    }

    private bool ReadLoop(Task task, QueueRing ring, Deadline deadline, CancellationToken cancellationToken, int me, ref SpinPhase spin, ref bool slept)
    {
        while (!task.IsCompleted)
        {
            if (TryClaim(me))
            {
                TakeOutcome outcome;
                try { outcome = Drain(task); }
                catch (ObjectDisposedException) { outcome = TakeOutcome.Closed; }
                finally { ReleaseClaim(ring); }
                if (task.IsCompleted) return true;
                // The pool ended its result queue: Terminate fails what is left.
                if (outcome == TakeOutcome.Closed) return WaitPlain(task, deadline, cancellationToken);
            }
            // Plain reads first (the worker may answer within microseconds), then sleep until a result is there to take.
            while (!ReaderReady(task, ring) && spin.Spin()) { }
            if (ReaderReady(task, ring)) continue;
            cancellationToken.ThrowIfCancellationRequested();
            slept = true;
            if (!ring.DataEvent.Wait(static s => s.Pool.ReaderReady(s.Task, s.Ring), (Pool: this, Task: task, Ring: ring),
                    deadline, WaitTuning.LivenessSliceMs, cancellationToken))
                return task.IsCompleted;
        }
        return true;
    }

    private bool ReaderReady(Task task, QueueRing ring)
        => task.IsCompleted || (Volatile.Read(ref _claim) == 0 && (ring.IsReadableAtHead || ring.HasEnded(checkLiveness: false)));

    /// <summary>Wakes callers asleep on the result queue (a task of theirs completed some other way: cancelled,
    /// failed by the pool, or handed over).</summary>
    private void WakeReaders()
    {
        if (Volatile.Read(ref _readers) == 0) return;
        _results.TryRun(WakeReadersCore);
    }

    private void WakeReadersCore()
    {
        Interlocked.MemoryBarrier();
        _results.Ring.DataEvent.Notify();
    }

    // ------------------------------------------------------------------ the claim and routing

    private bool TryClaim(int me) => Volatile.Read(ref _claim) == 0 && Interlocked.CompareExchange(ref _claim, me, 0) == 0;

    private void ReleaseClaim(QueueRing ring)
    {
        Interlocked.Exchange(ref _claim, 0); // a full fence: the sleeper counts below are read after the release
        ring.DataEvent.Notify(); // readers that slept because the claim was held
        if (Volatile.Read(ref _collectorAside) != 0 && CollectorHasWork) NudgeCollector();
    }

    /// <summary>Takes and routes results (holding the claim) until the queue has none ready or <paramref name="task"/>
    /// (if given) is complete.</summary>
    private TakeOutcome Drain(Task? task)
    {
        while (task is null || !task.IsCompleted)
        {
            var outcome = _results.Take(WaitLimit.Zero, out byte[] message);
            if (outcome != TakeOutcome.Taken) return outcome;
            Route(message);
        }
        return TakeOutcome.Taken;
    }

    /// <summary>Applies one result message (holding the claim). Anything malformed is dropped or fails its task;
    /// nothing escapes.</summary>
    private void Route(byte[] message)
    {
        if (!PoolMessage.TryReadResult(message, out long taskId, out byte status, out var body)) return; // names no task
        try { RouteRead(taskId, status, body); }
        finally
        {
            if (status == PoolMessageLayout.Lost)
            {
                Interlocked.Increment(ref _lostNoticesSettled);
                SignalLostNoticeSettled();
            }
        }
    }

    private void RouteRead(long taskId, byte status, BinaryReader body)
    {
        if (status == PoolMessageLayout.Lost && taskId == PoolSlot.Taking)
        {
            try { var lost = (IpcWorkerLostException)PoolMessage.ReadFailure(body, status); _takingDeaths.Enqueue((lost.Pid, lost.ExitCode)); }
            catch (IpcSerializationException) { }
            _lostCandidates = null;
            _reconcileNeeded = true;
            return;
        }
        // Already settled (a worker lost after its result went out), cancelled by its caller, or not ours.
        if (!_pending.TryRemove(taskId, out var p)) return;
        _maxSettledTaskId = Math.Max(_maxSettledTaskId, taskId);
        if (p.Job.RunsUserCode) _handOver.Enqueue(new HandOver(p, status, body, null));
        else Apply(p, status, body);
    }

    /// <summary>Fails a task whose pending entry the caller removed: at once, or on the collector thread if that runs user code.</summary>
    private void FailRouted(PendingTask p, Exception error)
    {
        if (p.Job.RunsUserCode) _handOver.Enqueue(new HandOver(p, 0, null, error));
        else p.Job.ChunkFailed(p.Chunk, error);
    }

    /// <summary>Applies an outcome to its job (its pending entry already removed by the router).</summary>
    private static void Apply(PendingTask p, byte status, BinaryReader body)
    {
        if (status == PoolMessageLayout.Skipped)
        {
            // Skipped though its caller did not cancel it: something else wrote the cancel table.
            p.Job.ChunkFailed(p.Chunk, new OperationCanceledException("A worker skipped this task: it was marked cancelled in the pool's shared memory."));
            return;
        }
        p.Job.ApplyResult(p.Chunk, p.Items, status, body);
    }

    /// <summary>Finds tasks taken by a worker that died before their id reached its slot, and fails them with
    /// <see cref="IpcWorkerLostException"/> (the collector, holding the claim). Task ids rise in queue order and takes
    /// are FIFO, so a queued task that no slot holds and no result settled, and that is below a task already taken
    /// (or the queue is empty), was taken by a dead worker — or by a live one between its take and its slot write,
    /// which lasts nanoseconds: a hole counts only when two rounds <see cref="ReconcileIntervalMs"/> apart both see it.</summary>
    private void Reconcile()
    {
        if (_pending.IsEmpty)
        {
            // Nothing left that could have been lost: the dead takers took nothing.
            _takingDeaths.Clear();
            _lostCandidates = null;
            return;
        }
        long now = Environment.TickCount64;
        if (now - _lastReconcile < ReconcileIntervalMs) return;
        _lastReconcile = now;
        // Order matters: queued tasks first, then "was the queue empty", then the slots, then the results already put.
        var queued = _pending.Where(kv => kv.Value.Queued).Select(kv => kv.Key).ToList();
        bool queueEmpty = !_tasks.Ring.HasData;
        long highestTaken = _maxSettledTaskId;
        var held = new HashSet<long>();
        for (int i = 0; i < _current.Length; i++)
        {
            long v = Volatile.Read(ref _current[i]);
            if (v > 0) { held.Add(v); highestTaken = Math.Max(highestTaken, v); }
        }
        while (_results.Take(WaitLimit.Zero, out var message) == TakeOutcome.Taken) Route(message);
        var holes = queued.Where(id => _pending.ContainsKey(id) && !held.Contains(id) && (queueEmpty || id < highestTaken)).ToHashSet();
        if (_lostCandidates is null)
        {
            _lostCandidates = holes;
            return;
        }
        holes.IntersectWith(_lostCandidates);
        _lostCandidates = null;
        foreach (long id in holes.Order())
        {
            if (!_takingDeaths.TryDequeue(out var death)) break;
            if (_pending.TryRemove(id, out var p)) FailRouted(p, new IpcWorkerLostException(death.Pid, death.ExitCode));
        }
    }
}
