using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using System.Reflection;
using NativeIpc.Pool;
using NativeIpc.Serialization;

namespace NativeIpc;

/// <summary>A fixed number of worker processes that run functions for this process: Python's <c>multiprocessing.Pool</c>.
/// Functions are static methods or lambdas that capture nothing, as for <see cref="IpcProcess"/>; arguments and results
/// cross as <see cref="IpcProcess"/> arguments do.</summary>
/// <remarks>
/// <para>Tasks go to the workers through one shared-memory <see cref="IpcQueue{T}"/>; outcomes come back through another. A
/// caller blocked in <c>Apply</c> or <see cref="AsyncResult{TResult}.Get"/> reads that queue itself (one reader at a time,
/// handing on what it finds for others); a collector thread here completes the rest, and runs every callback. An
/// exception in a function fails that task only (<see cref="IpcRemoteException"/>). A worker that dies mid-task (killed, crashed, <see cref="Environment.Exit"/>) fails
/// the task it held with <see cref="IpcWorkerLostException"/>, and a replacement worker keeps the pool at its size.</para>
/// <para>Every call takes a <see cref="CancellationToken"/>: cancelling it removes that call's queued tasks from the pool
/// (a worker that takes one skips it; one already running finishes and its result is discarded) and the caller gets
/// <see cref="OperationCanceledException"/>. Results are awaitable (<c>await pool.ApplyAsync(f, x)</c>) and complete
/// from the collector thread, so an awaiting caller holds no thread.</para>
/// <para>If replacement workers fail to start <see cref="MaxConsecutiveStartFailures"/> times in a row, the pool gives
/// up: pending tasks fail, and later calls throw, with <see cref="IpcPoolBrokenException"/>.</para>
/// <para><see cref="Dispose"/> is <see cref="Terminate"/>, as Python's <c>with Pool() as p:</c> is.</para>
/// </remarks>
/// <example><code>
/// using var pool = new ProcessPool(4);
/// int[] squares = pool.Map(static (int x) =&gt; x * x, Enumerable.Range(0, 10));
/// int nine = await pool.ApplyAsync(static (int x) =&gt; x * x, 3, cancellationToken);
/// </code></example>
public sealed partial class ProcessPool : WorkerPool
{
    private const int QueueBytes = 4 << 20;
    private static int s_workerNumber;
    private static readonly ConcurrentDictionary<MethodInfo, PoolMessage.Target> s_targets = new();

    private readonly object _gate = new();
    private readonly object _submitGate = new(); // task ids are handed out in queue order (see Reconcile)
    private readonly QueueChannel<byte[]> _tasks;
    private readonly QueueChannel<byte[]> _results;
    private readonly SharedArray<long> _current; // slot i: a PoolSlot value for worker i
    private readonly SharedArray<long> _cancelled; // CancelTableLayout: ids of cancelled tasks, which workers skip
    private readonly IpcProcess?[] _workers;
    private readonly Task?[] _monitors;
    private readonly ConcurrentDictionary<long, PendingTask> _pending = new();
    private readonly Thread _collector;
    private readonly TaskCompletionSource _collectorDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _maxTasksPerChild; // 0: no limit
    private readonly byte[] _key = PoolMessage.NewKey(); // authenticates targets to the workers; never in shared memory
    private readonly ConcurrentDictionary<int, byte[]> _targetTags = new();
    private readonly byte[] _initializer = []; // a task message run first by every worker; empty: none
    private long _nextTaskId;
    private long _maxSettledTaskId; // result reader (the claim holder) only
    private readonly Queue<(int Pid, int ExitCode)> _takingDeaths = new(); // claim holder only: workers that died mid-take
    private HashSet<long>? _lostCandidates; // claim holder only: holes seen by the previous reconcile round
    private long _lostNoticesPut;     // under _gate: worker-lost notices put on the results queue
    private long _lostNoticesSettled; // result readers: notices applied (in queue order, after what preceded them)
    private readonly object _lostNoticeGate = new(); // AwaitLostNotice sleeps on it
    private long _lastReconcile;
    private bool _closed;
    private bool _terminating;
    private bool _disposed;
    private int _startFailures; // under _gate: consecutive workers that failed to start
    private volatile Exception? _startFailure; // set once the pool gave up starting workers: it is broken

    /// <summary>Consecutive worker start failures (spawn errors, or workers that died before reaching their task loop,
    /// e.g. in the initializer) after which the pool gives up with <see cref="IpcPoolBrokenException"/>.</summary>
    public const int MaxConsecutiveStartFailures = 5;

    /// <summary>Most spin steps a worker takes after a task, waiting for the next, before it sleeps (given to workers
    /// as they start; as <see cref="ReaderSpin"/>).</summary>
    internal static int WorkerSpin = Math.Min(WaitTuning.QueueSpin, PoolSpinSteps);

    /// <summary>Test hook: called with each worker process before it starts (a test makes starts fail).</summary>
    internal Action<IpcProcess>? BeforeWorkerStart { get; set; }

    /// <summary>Starts the worker processes (daemons: they die with this process).</summary>
    /// <param name="processes">Number of workers; null: <see cref="Multiprocessing.CpuCount"/>.</param>
    /// <param name="maxTasksPerChild">A worker exits after this many task messages and a fresh one takes its place
    /// (to bound leaks in the functions run); null: workers live as long as the pool.</param>
    /// <param name="initializer">Run once in each worker as it starts (a static method or capture-free lambda); null: none.
    /// If it throws, the worker prints the error and exits, and the pool starts another, as Python's does; after
    /// <see cref="MaxConsecutiveStartFailures"/> such failures in a row the pool is broken (<see cref="IpcPoolBrokenException"/>).</param>
    /// <param name="initArgs">The initializer's arguments.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="processes"/> or <paramref name="maxTasksPerChild"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The initializer is not a static method or capture-free lambda, or <paramref name="initArgs"/> do not fit it.</exception>
    /// <remarks>Python: multiprocessing.Pool(processes, initializer, initargs, maxtasksperchild)</remarks>
    public ProcessPool(int? processes = null, int? maxTasksPerChild = null, Delegate? initializer = null, params object?[] initArgs)
    {
        if (initializer is not null)
        {
            var init = PoolMessage.Describe(initializer);
            init.Method.CheckArguments(init.Parameters, initArgs ?? [], nameof(initArgs));
            _initializer = PoolMessage.Call(PoolMessageLayout.InitializerTaskId, init, PoolMessage.TargetTag(_key, init), initArgs ?? []);
        }
        int n = processes ?? Multiprocessing.CpuCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(processes));
        if (maxTasksPerChild is { } m) ArgumentOutOfRangeException.ThrowIfLessThan(m, 1, nameof(maxTasksPerChild));
        _maxTasksPerChild = maxTasksPerChild ?? 0;
        _tasks = QueueChannel<byte[]>.Create(SegmentKind.Queue, QueueBytes, null, "ProcessPool task queue");
        _results = QueueChannel<byte[]>.Create(SegmentKind.Queue, QueueBytes, null, "ProcessPool result queue");
        _current = SharedArray<long>.Create(n);
        _cancelled = SharedArray<long>.Create(CancelTableLayout.Entries);
        _workers = new IpcProcess?[n];
        _monitors = new Task?[n];
        try
        {
            for (int i = 0; i < n; i++) StartWorker(i);
        }
        catch
        {
            Dispose();
            throw;
        }
        _collector = new Thread(CollectResults) { IsBackground = true, Name = "ProcessPool result collector" };
        _collector.Start();
        PoolRegistry.Track(this);
    }

    /// <summary>Number of worker processes the pool keeps running.</summary>
    public override int Size => _workers.Length;

    /// <summary>For the pool instruments (<see cref="PoolRegistry"/>): tasks not yet settled, tasks a worker holds.</summary>
    internal int PendingCount => _pending.Count;
    internal int RunningCount { get { int n = 0; if (!_disposed) for (int i = 0; i < _workers.Length; i++) if (Volatile.Read(ref _current[i]) > 0) n++; return n; } }
    internal bool IsDisposedForMetrics => _disposed;

    /// <summary>Process ids of the current workers (replacements included).</summary>
    public IReadOnlyList<int> Pids
    {
        get
        {
            lock (_gate) return _workers.Where(w => w?.Pid is not null && w.IsAlive).Select(w => w!.Pid!.Value).ToArray();
        }
    }

    // ------------------------------------------------------------------ lifetime

    /// <summary>Accepts no more work; workers exit once the queued tasks are done. Follow with <see cref="Join"/>.
    /// Does nothing after <see cref="Dispose"/>. It does not block, so it takes no cancellation token.</summary>
    /// <remarks>Python: Pool.close()</remarks>
    public override void Close()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
        }
        _tasks.Ring.Complete();
    }

    /// <summary>Waits for the workers to finish the queued tasks and exit, after <see cref="Close"/>. After
    /// <see cref="Dispose"/> (which terminated the workers) it returns true at once, as Python's
    /// <c>with Pool() as p: ...</c> then <c>p.join()</c> does.</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait (the workers carry on).</param>
    /// <returns>True when every worker has exited and every result is delivered; false on timeout.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Close"/> or <see cref="Terminate"/> was not called first.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (and not infinite).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <remarks>Python: Pool.join()</remarks>
    public override bool Join(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        if (!_closed) throw new InvalidOperationException("Call Close() or Terminate() before Join().");
        if (_disposed) return true;
        if (!WaitForWorkers(deadline, cancellationToken)) return false;
        EndResults(); // no worker left to put results: the collector drains and stops
        try { return _collectorDone.Task.Wait(deadline.RemainingMilliseconds, cancellationToken); }
        catch (AggregateException) { return true; }
    }

    /// <summary><see cref="Join"/> for <c>await</c>: completes when every worker has exited and every result is
    /// delivered, holding no thread while it waits.</summary>
    /// <param name="cancellationToken">Stops the wait (the workers carry on).</param>
    /// <exception cref="InvalidOperationException"><see cref="Close"/> or <see cref="Terminate"/> was not called first.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <remarks>Python: Pool.join() (awaitable)</remarks>
    public override async Task JoinAsync(CancellationToken cancellationToken = default)
    {
        if (!_closed) throw new InvalidOperationException("Call Close() or Terminate() before Join().");
        if (_disposed) return;
        while (true)
        {
            Task[] monitors = LiveMonitors();
            await Task.WhenAll(monitors).WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
                if (LiveMonitors().SequenceEqual(monitors)) break; // no replacement started meanwhile
        }
        EndResults();
        await _collectorDone.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills the workers now; tasks not finished fail with <see cref="InvalidOperationException"/>.</summary>
    /// <remarks>Python: Pool.terminate()</remarks>
    public override void Terminate()
    {
        lock (_gate)
        {
            if (_terminating) return;
            _terminating = true;
            _closed = true;
        }
        _tasks.Ring.Complete();
        foreach (var w in _workers)
            try { if (w?.Pid is not null) w.Kill(); } catch (IpcException) { } catch (InvalidOperationException) { }
        WaitForWorkers(Deadline.From(TimeSpan.FromSeconds(30)), default);
        EndResults();
        _collector?.Join(TimeSpan.FromSeconds(30));
        FailPending(() => new InvalidOperationException("The pool was terminated before this task finished."), skip: false);
    }

    /// <summary>Terminates the pool (see <see cref="Terminate"/>) and removes its shared memory. Afterwards
    /// <see cref="Close"/>, <see cref="Terminate"/> and <see cref="Join"/> return at once; submitting work throws
    /// <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Python: Pool.__exit__</remarks>
    public override void Dispose()
    {
        if (_disposed) return;
        Terminate();
        _disposed = true;
        foreach (var w in _workers) w?.Dispose();
        _tasks.Dispose();
        _results.Dispose();
        _current.Dispose();
        _cancelled.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"<ProcessPool size={Size} state={(_startFailure is not null ? "BROKEN" : _terminating ? "TERMINATE" : _closed ? "CLOSE" : "RUN")} pending={_pending.Count}>";

    // ------------------------------------------------------------------ internals

    private void ThrowIfNotAccepting()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_startFailure is { } failure) throw new IpcPoolBrokenException(failure);
        if (_closed) throw new InvalidOperationException("The pool is closed; it accepts no more tasks.");
    }

    /// <summary>Queues <paramref name="job"/>'s chunks. With a cancellable token, the token's cancellation removes the
    /// chunks still queued (<see cref="CancelJob"/>); a token cancelled before or during the submission queues no more.</summary>
    private protected override PoolJob<TResult> Submit<TResult>(Delegate func, PoolItems items, PoolJob<TResult> job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(func);
        ThrowIfNotAccepting();
        var target = s_targets.GetOrAdd(func.Method, static (_, f) => PoolMessage.Describe(f), func);
        byte[] tag = _targetTags.GetOrAdd(target.Id, static (_, t) => PoolMessage.TargetTag(t.Key, t.Target), (Key: _key, Target: target));
        int chunkSize = job.ChunkSize;
        if (cancellationToken.CanBeCanceled && job.Chunks > 0)
            job.Registration = cancellationToken.Register(
                static (state, token) => { var (pool, j) = ((ProcessPool, PoolJob))state!; pool.CancelJob(j, token); }, ((ProcessPool, PoolJob))(this, job));
        for (int chunk = 0; chunk < job.Chunks && !cancellationToken.IsCancellationRequested; chunk++)
        {
            int start = chunk * chunkSize, count = Math.Min(chunkSize, items.Count - start);
            // Encoded outside the submit lock (a raw block for unmanaged items, argument lists otherwise, as ClusterPool
            // does); the id is patched in under it.
            byte[] message = items.Chunk(0, target, tag, start, count);
            var pending = new PendingTask(job, chunk, count);
            lock (_submitGate)
            {
                // Ids rise in queue order, so a task below one a worker has taken was taken too (Reconcile relies on it).
                long taskId = ++_nextTaskId;
                PoolMessage.SetTaskId(message, taskId);
                Volatile.Write(ref job.TaskIds[chunk], taskId);
                // Registered before it is queued: a fast worker's result must find it.
                _pending[taskId] = pending;
                bool queued;
                try { queued = PutTask(message, cancellationToken); }
                catch (Exception e) when (e is IpcQueueClosedException or ObjectDisposedException)
                {
                    _pending.TryRemove(taskId, out _);
                    if (_startFailure is { } failure) throw new IpcPoolBrokenException(failure);
                    throw new InvalidOperationException("The pool is closed; it accepts no more tasks.");
                }
                if (!queued)
                {
                    _pending.TryRemove(taskId, out _);
                    break;
                }
                pending.Queued = true;
            }
        }
        // A cancellation that raced the loop may have missed the chunks queued after it looked: look again.
        if (cancellationToken.IsCancellationRequested) CancelJob(job, cancellationToken);
        // With no caller reading results, a collector standing aside must read these (see ProcessPool.Collect.cs).
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _readers) == 0) NudgeCollector();
        return job;
    }

    /// <summary>Puts a task message; false if <paramref name="cancellationToken"/> was cancelled while the queue was full.</summary>
    private bool PutTask(byte[] message, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled) return _tasks.Put(message, WaitLimit.Infinite);
        // The queue's put takes a deadline, not a token: while the queue stays full, look at the token every slice.
        while (!_tasks.Put(message, WaitLimit.From(TimeSpan.FromMilliseconds(FullQueueSliceMs))))
            if (cancellationToken.IsCancellationRequested) return false;
        return true;
    }

    private const int FullQueueSliceMs = 20;

    /// <summary>Removes a job's queued tasks from the pool (workers skip the ones they take later; a running one
    /// finishes, its result discarded) and ends the job with <see cref="OperationCanceledException"/>.</summary>
    private protected override void CancelJob(PoolJob job, CancellationToken token)
    {
        foreach (ref long id in job.TaskIds.AsSpan())
        {
            long taskId = Volatile.Read(ref id);
            if (taskId != 0 && _pending.TryRemove(taskId, out _)) MarkCancelled(taskId);
        }
        job.Cancel(token);
        WakeReaders();
    }

    private void MarkCancelled(long taskId)
    {
        try { Volatile.Write(ref _cancelled[CancelTableLayout.IndexOf(taskId)], taskId); }
        catch (ObjectDisposedException) { } // the pool is gone: no worker will take it
    }

    /// <summary>Fails every pending task with a fresh exception from <paramref name="error"/>; with
    /// <paramref name="skip"/>, workers also skip the ones still queued.</summary>
    private void FailPending(Func<Exception> error, bool skip)
    {
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var p))
            {
                if (skip) MarkCancelled(id);
                p.Job.ChunkFailed(p.Chunk, error());
            }
        WakeReaders();
    }

    private void StartWorker(int slot)
    {
        Volatile.Write(ref _current[slot], PoolSlot.Starting);
        var p = IpcProcess.Create(PoolWorker.Run, _tasks.Name, _results.Name, _current, _cancelled, slot, new[] { _maxTasksPerChild, WorkerSpin }, _initializer, _key);
        p.Name = $"PoolWorker-{Interlocked.Increment(ref s_workerNumber)}";
        p.Daemon = true;
        try
        {
            BeforeWorkerStart?.Invoke(p);
            _workers[slot] = p.Start();
        }
        catch
        {
            Volatile.Write(ref _current[slot], PoolSlot.Idle);
            p.Dispose();
            throw;
        }
        _monitors[slot] = MonitorWorker(slot, p);
    }

    private async Task MonitorWorker(int slot, IpcProcess worker)
    {
        Exception? startError = null;
        try { await worker.WaitForExitAsync().ConfigureAwait(false); }
        catch (IpcChildStartException e) { startError = e; }
        int pid = worker.Pid ?? 0, code = worker.ExitCode ?? -1;
        Exception? broken = null;
        long brokenAfter = 0;
        lock (_gate)
        {
            if (_terminating) return;
            long held = Interlocked.Exchange(ref _current[slot], PoolSlot.Idle);
            // Through the results queue, behind anything the worker put before it died: a result that made it wins.
            // A death mid-take (Taking) names no task: the collector reconciles.
            long notice = 0;
            if (held > 0 || held == PoolSlot.Taking)
            {
                IpcMetrics.WorkersLost.Add(1); // counted before its task can fail
                _results.Put(PoolMessage.WorkerLost(held, pid, code), WaitLimit.Infinite);
                notice = ++_lostNoticesPut;
                NudgeCollector(); // it may stand aside with no caller left to read the notice
            }
            if (startError is null && held == PoolSlot.Starting)
                startError = new IpcException($"Pool worker pid {pid} exited with code {code} before it was ready (did its initializer fail?).");
            _startFailures = startError is null ? 0 : _startFailures + 1;
            if (startError is not null) IpcLog.Pool.LogWarning(startError, "Pool worker pid {Pid} failed to start (exit code {ExitCode})", pid, code);
            // Exit 0 after Close with nothing left queued: it left as asked. (With work left it hit maxTasksPerChild.)
            if (_closed && code == 0 && !_tasks.Ring.HasData) return;
            worker.Dispose();
            _workers[slot] = null; // until a replacement takes the slot
            if (_startFailure is not null) return; // broken: no more replacements
            if (_startFailures >= MaxConsecutiveStartFailures) broken = Break(startError!);
            else broken = Replace(slot);
            if (broken is not null) brokenAfter = notice;
        }
        // Outside the lock: failing tasks runs the callers' callbacks. The dead worker's own task fails as lost, not
        // broken: let the collector apply the notice just put (and any result ahead of it) first.
        if (broken is not null)
        {
            if (brokenAfter > 0) AwaitLostNotice(brokenAfter);
            FailPending(() => new IpcPoolBrokenException(broken), skip: true);
        }
    }

    /// <summary>Waits (bounded) until the collector has applied worker-lost notice number <paramref name="notice"/>.</summary>
    private void AwaitLostNotice(long notice)
    {
        var deadline = Deadline.FromMilliseconds(LostNoticeWaitMs);
        lock (_lostNoticeGate)
            while (Volatile.Read(ref _lostNoticesSettled) < notice && !_collectorDone.Task.IsCompleted && !deadline.HasPassed)
                Monitor.Wait(_lostNoticeGate, deadline.RemainingMilliseconds);
    }

    /// <summary>Wakes <see cref="AwaitLostNotice"/>: a lost notice was applied, or the collector ended.</summary>
    private void SignalLostNoticeSettled()
    {
        lock (_lostNoticeGate) Monitor.PulseAll(_lostNoticeGate);
    }

    private const int LostNoticeWaitMs = 5_000;

    /// <summary>Starts a replacement in <paramref name="slot"/>, retrying a spawn that throws; returns the failure
    /// that broke the pool, if it came to that. Called under <c>_gate</c>.</summary>
    private Exception? Replace(int slot)
    {
        while (true)
        {
            try
            {
                StartWorker(slot);
                return null;
            }
            catch (Exception e) when (e is IpcException or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                _workers[slot] = null;
                _monitors[slot] = null;
                if (++_startFailures >= MaxConsecutiveStartFailures) return Break(e);
            }
        }
    }

    /// <summary>Gives up on starting workers: no more tasks are accepted and the queue is closed, so the workers still
    /// alive exit; the caller then fails the pending tasks. Called under <c>_gate</c>.</summary>
    private Exception Break(Exception startFailure)
    {
        IpcLog.Pool.LogError(startFailure, "ProcessPool: {Failures} worker starts failed in a row; the pool is broken", MaxConsecutiveStartFailures);
        _startFailure = startFailure;
        _closed = true;
        _tasks.Ring.Complete();
        return startFailure;
    }

    private Task[] LiveMonitors()
    {
        lock (_gate) return _monitors.Where(m => m is not null).ToArray()!;
    }

    private bool WaitForWorkers(Deadline deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task[] monitors = LiveMonitors();
            if (!Task.WaitAll(monitors, deadline.RemainingMilliseconds, cancellationToken)) return false;
            lock (_gate)
                if (LiveMonitors().SequenceEqual(monitors)) return true; // no replacement started meanwhile
        }
    }

    /// <summary>A queued chunk waiting for its result.</summary>
    private sealed class PendingTask(PoolJob job, int chunk, int items)
    {
        public readonly PoolJob Job = job;
        public readonly int Chunk = chunk;
        public readonly int Items = items;
        public volatile bool Queued; // set once the put returned: only then can a worker have taken it
    }

    /// <summary>The task queue, for tests that write hostile messages into it.</summary>
    internal QueueChannel<byte[]> TaskQueue => _tasks;

    /// <summary>The cancel table, for tests that write hostile marks into it.</summary>
    internal SharedArray<long> CancelTable => _cancelled;

    /// <summary>The result queue, for tests that write hostile messages into it.</summary>
    internal QueueChannel<byte[]> ResultQueue => _results;
}
