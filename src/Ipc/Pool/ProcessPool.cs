using System.Collections.Concurrent;
using System.Reflection;
using NativeIpc.Pool;
using NativeIpc.Serialization;

namespace NativeIpc;

/// <summary>A fixed number of worker processes that run functions for this process: Python's <c>multiprocessing.Pool</c>.
/// Functions are static methods or lambdas that capture nothing, as for <see cref="IpcProcess"/>; arguments and results
/// cross as <see cref="IpcProcess"/> arguments do.</summary>
/// <remarks>
/// <para>Tasks go to the workers through one shared-memory <see cref="IpcQueue{T}"/>; outcomes come back through another and a
/// collector thread here completes them. An exception in a function fails that task only
/// (<see cref="IpcRemoteException"/>). A worker that dies mid-task (killed, crashed, <see cref="Environment.Exit"/>) fails
/// the task it held with <see cref="IpcWorkerLostException"/>, and a replacement worker keeps the pool at its size.</para>
/// <para><see cref="Dispose"/> is <see cref="Terminate"/>, as Python's <c>with Pool() as p:</c> is.</para>
/// </remarks>
/// <example><code>
/// using var pool = new ProcessPool(4);
/// int[] squares = pool.Map(static (int x) =&gt; x * x, Enumerable.Range(0, 10));
/// </code></example>
public sealed class ProcessPool : IDisposable
{
    private const int QueueBytes = 4 << 20;
    private static int s_workerNumber;
    private static readonly ConcurrentDictionary<MethodInfo, PoolMessage.Target> s_targets = new();

    private readonly object _gate = new();
    private readonly object _submitGate = new(); // task ids are handed out in queue order (see Reconcile)
    private readonly QueueChannel<byte[]> _tasks;
    private readonly QueueChannel<byte[]> _results;
    private readonly SharedArray<long> _current; // slot i: a PoolSlot value for worker i
    private readonly IpcProcess?[] _workers;
    private readonly Task?[] _monitors;
    private readonly ConcurrentDictionary<long, PendingTask> _pending = new();
    private readonly Thread _collector;
    private readonly int _maxTasksPerChild; // 0: no limit
    private readonly byte[] _key = PoolMessage.NewKey(); // authenticates targets to the workers; never in shared memory
    private readonly ConcurrentDictionary<int, byte[]> _targetTags = new();
    private readonly byte[] _initializer = []; // a task message run first by every worker; empty: none
    private long _nextTaskId;
    private long _maxSettledTaskId; // collector only
    private readonly Queue<(int Pid, int ExitCode)> _takingDeaths = new(); // collector only: workers that died mid-take
    private HashSet<long>? _lostCandidates; // collector only: holes seen by the previous reconcile round
    private long _lastReconcile;
    private bool _closed;
    private bool _terminating;
    private bool _disposed;

    /// <summary>Starts the worker processes (daemons: they die with this process).</summary>
    /// <param name="processes">Number of workers; null: <see cref="Multiprocessing.CpuCount"/>.</param>
    /// <param name="maxTasksPerChild">A worker exits after this many task messages and a fresh one takes its place
    /// (to bound leaks in the functions run); null: workers live as long as the pool.</param>
    /// <param name="initializer">Run once in each worker as it starts (a static method or capture-free lambda); null: none.
    /// If it throws, the worker prints the error and exits, and the pool starts another, as Python's does.</param>
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
        _workers = new IpcProcess?[n];
        _monitors = new Task?[n];
        try
        {
            for (int i = 0; i < n; i++) StartWorker(i);
        }
        catch
        {
            Terminate();
            throw;
        }
        _collector = new Thread(CollectResults) { IsBackground = true, Name = "ProcessPool result collector" };
        _collector.Start();
    }

    /// <summary>Number of worker processes the pool keeps running.</summary>
    public int Size => _workers.Length;

    /// <summary>Process ids of the current workers (replacements included).</summary>
    public IReadOnlyList<int> Pids
    {
        get
        {
            lock (_gate) return _workers.Where(w => w?.Pid is not null && w.IsAlive).Select(w => w!.Pid!.Value).ToArray();
        }
    }

    // ------------------------------------------------------------------ map family

    /// <summary>Runs <paramref name="func"/> on every item in the workers and returns the results in input order.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message.</param>
    /// <param name="timeout">How long to wait for all results; null: no limit.</param>
    /// <exception cref="TimeoutException">Not all results arrived within <paramref name="timeout"/>.</exception>
    /// <exception cref="IpcRemoteException">The function threw for some item (the first failure is reported).</exception>
    /// <exception cref="IpcWorkerLostException">A worker died while running some chunk.</exception>
    /// <remarks>Python: Pool.map</remarks>
    public TResult[] Map<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int chunkSize = 1, TimeSpan? timeout = null)
        => Submit<TResult>(func, Single(items), chunkSize).Wait(timeout);

    /// <summary>Like <see cref="Map{T, TResult}"/>, returning at once (after the tasks are queued; this waits only
    /// while the task queue is full).</summary>
    /// <remarks>Python: Pool.map_async</remarks>
    public Task<TResult[]> MapAsync<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int chunkSize = 1)
        => Submit<TResult>(func, Single(items), chunkSize).All;

    /// <summary>Like <see cref="Map{T, TResult}"/>, but yields each result, in input order, as soon as it is ready.
    /// All tasks are queued by this call; enumeration only waits for results.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message.</param>
    /// <param name="timeout">Longest wait for each next result (a <see cref="TimeoutException"/> after it); null: no limit.</param>
    /// <remarks>Python: Pool.imap (next(timeout))</remarks>
    public IEnumerable<TResult> Imap<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int chunkSize = 1, TimeSpan? timeout = null)
    {
        _ = Deadline.From(timeout); // a bad timeout fails this call, not the first MoveNext
        return Submit<TResult>(func, Single(items), chunkSize).InOrder(timeout);
    }

    /// <summary>Like <see cref="Imap{T, TResult}"/>, yielding results in the order they finish.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message.</param>
    /// <param name="timeout">Longest wait for each next result (a <see cref="TimeoutException"/> after it); null: no limit.</param>
    /// <remarks>Python: Pool.imap_unordered</remarks>
    public IEnumerable<TResult> ImapUnordered<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int chunkSize = 1, TimeSpan? timeout = null)
    {
        _ = Deadline.From(timeout);
        return Submit<TResult>(func, Single(items), chunkSize).AsCompleted(timeout);
    }

    /// <summary>Like <see cref="Map{T, TResult}"/> for a two-argument function: each item is a tuple of arguments.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The argument pairs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message.</param>
    /// <param name="timeout">How long to wait for all results; null: no limit.</param>
    /// <remarks>Python: Pool.starmap</remarks>
    public TResult[] StarMap<T1, T2, TResult>(Func<T1, T2, TResult> func, IEnumerable<(T1, T2)> items, int chunkSize = 1, TimeSpan? timeout = null)
        => Submit<TResult>(func, items.Select(t => new object?[] { t.Item1, t.Item2 }).ToList(), chunkSize).Wait(timeout);

    // ------------------------------------------------------------------ apply family

    /// <summary>Runs <paramref name="func"/> in a worker and waits for its result.</summary>
    /// <exception cref="IpcRemoteException">The function threw in the worker.</exception>
    /// <exception cref="IpcWorkerLostException">The worker died while running it.</exception>
    /// <remarks>Python: Pool.apply</remarks>
    public TResult Apply<TResult>(Func<TResult> func) => ApplyAsync(func).Get();

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>) in a worker and waits for its result.</summary>
    /// <remarks>Python: Pool.apply</remarks>
    public TResult Apply<T1, TResult>(Func<T1, TResult> func, T1 arg1) => ApplyAsync(func, arg1).Get();

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) in a worker and waits for its result.</summary>
    /// <remarks>Python: Pool.apply</remarks>
    public TResult Apply<T1, T2, TResult>(Func<T1, T2, TResult> func, T1 arg1, T2 arg2) => ApplyAsync(func, arg1, arg2).Get();

    /// <summary>Runs <paramref name="func"/> with three arguments in a worker and waits for its result.</summary>
    /// <remarks>Python: Pool.apply</remarks>
    public TResult Apply<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, T1 arg1, T2 arg2, T3 arg3) => ApplyAsync(func, arg1, arg2, arg3).Get();

    /// <summary>Queues <paramref name="func"/> for a worker; the result arrives in the returned <see cref="AsyncResult{TResult}"/>.</summary>
    /// <remarks>Python: Pool.apply_async</remarks>
    public AsyncResult<TResult> ApplyAsync<TResult>(Func<TResult> func) => ApplyCore<TResult>(func, []);

    /// <summary>Queues <paramref name="func"/>(<paramref name="arg1"/>) for a worker.</summary>
    /// <remarks>Python: Pool.apply_async</remarks>
    public AsyncResult<TResult> ApplyAsync<T1, TResult>(Func<T1, TResult> func, T1 arg1) => ApplyCore<TResult>(func, [arg1]);

    /// <summary>Queues <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) for a worker.</summary>
    /// <remarks>Python: Pool.apply_async</remarks>
    public AsyncResult<TResult> ApplyAsync<T1, T2, TResult>(Func<T1, T2, TResult> func, T1 arg1, T2 arg2) => ApplyCore<TResult>(func, [arg1, arg2]);

    /// <summary>Queues <paramref name="func"/> with three arguments for a worker.</summary>
    /// <remarks>Python: Pool.apply_async</remarks>
    public AsyncResult<TResult> ApplyAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, T1 arg1, T2 arg2, T3 arg3)
        => ApplyCore<TResult>(func, [arg1, arg2, arg3]);

    // ------------------------------------------------------------------ lifetime

    /// <summary>Accepts no more work; workers exit once the queued tasks are done. Follow with <see cref="Join"/>.
    /// Does nothing after <see cref="Dispose"/>.</summary>
    /// <remarks>Python: Pool.close()</remarks>
    public void Close()
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
    /// <returns>True when every worker has exited and every result is delivered; false on timeout.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Close"/> or <see cref="Terminate"/> was not called first.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (and not infinite).</exception>
    /// <remarks>Python: Pool.join()</remarks>
    public bool Join(TimeSpan? timeout = null)
    {
        var deadline = Deadline.From(timeout);
        if (!_closed) throw new InvalidOperationException("Call Close() or Terminate() before Join().");
        if (_disposed) return true;
        if (!WaitForWorkers(deadline)) return false;
        _results.Ring.Complete(); // no worker left to put results: the collector drains and stops
        return _collector.Join(deadline.RemainingMilliseconds);
    }

    /// <summary>Kills the workers now; tasks not finished fail with <see cref="InvalidOperationException"/>.</summary>
    /// <remarks>Python: Pool.terminate()</remarks>
    public void Terminate()
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
        WaitForWorkers(Deadline.From(TimeSpan.FromSeconds(30)));
        _results.Ring.Complete();
        _collector?.Join(TimeSpan.FromSeconds(30));
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var p))
                p.Job.ChunkFailed(p.Chunk, new InvalidOperationException("The pool was terminated before this task finished."));
    }

    /// <summary>Terminates the pool (see <see cref="Terminate"/>) and removes its shared memory. Afterwards
    /// <see cref="Close"/>, <see cref="Terminate"/> and <see cref="Join"/> return at once; submitting work throws
    /// <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Python: Pool.__exit__</remarks>
    public void Dispose()
    {
        if (_disposed) return;
        Terminate();
        _disposed = true;
        foreach (var w in _workers) w?.Dispose();
        _tasks.Dispose();
        _results.Dispose();
        _current.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"<ProcessPool size={Size} state={(_terminating ? "TERMINATE" : _closed ? "CLOSE" : "RUN")} pending={_pending.Count}>";

    // ------------------------------------------------------------------ internals

    private static List<object?[]> Single<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Select(x => new object?[] { x }).ToList();
    }

    private AsyncResult<TResult> ApplyCore<TResult>(Delegate func, object?[] args)
        => new(Submit<TResult>(func, [args], 1, single: true).Single);

    private PoolJob<TResult> Submit<TResult>(Delegate func, IReadOnlyList<object?[]> items, int chunkSize, bool single = false)
    {
        ArgumentNullException.ThrowIfNull(func);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_closed) throw new InvalidOperationException("The pool is closed; it accepts no more tasks.");
        var target = s_targets.GetOrAdd(func.Method, static (_, f) => PoolMessage.Describe(f), func);
        byte[] tag = _targetTags.GetOrAdd(target.Id, static (_, t) => PoolMessage.TargetTag(t.Key, t.Target), (Key: _key, Target: target));
        var job = new PoolJob<TResult>(items.Count, chunkSize, single);
        for (int chunk = 0; chunk < job.Chunks; chunk++)
        {
            int start = chunk * chunkSize, count = Math.Min(chunkSize, items.Count - start);
            var ms = new MemoryStream();
            // The id is patched in under the submit lock; arguments are encoded outside it.
            using (var w = PoolMessage.BeginTask(ms, 0, target, tag, count))
                for (int i = start; i < start + count; i++)
                    ArgumentCodec.WriteArguments(w, items[i], target.Parameters, target.DisplayName);
            byte[] message = ms.ToArray();
            var pending = new PendingTask(job, chunk, count);
            lock (_submitGate)
            {
                // Ids rise in queue order, so a task below one a worker has taken was taken too (Reconcile relies on it).
                long taskId = ++_nextTaskId;
                PoolMessage.SetTaskId(message, taskId);
                // Registered before it is queued: a fast worker's result must find it.
                _pending[taskId] = pending;
                try { _tasks.Put(message, long.MaxValue); }
                catch (Exception e) when (e is IpcQueueClosedException or ObjectDisposedException)
                {
                    _pending.TryRemove(taskId, out _);
                    throw new InvalidOperationException("The pool is closed; it accepts no more tasks.");
                }
                pending.Queued = true;
            }
        }
        return job;
    }

    private void StartWorker(int slot)
    {
        var p = IpcProcess.Create(PoolWorker.Run, _tasks.Name, _results.Name, _current, slot, _maxTasksPerChild, _initializer, _key);
        p.Name = $"PoolWorker-{Interlocked.Increment(ref s_workerNumber)}";
        p.Daemon = true;
        _workers[slot] = p.Start();
        _monitors[slot] = MonitorWorker(slot, p);
    }

    private async Task MonitorWorker(int slot, IpcProcess worker)
    {
        try { await worker.WaitForExitAsync().ConfigureAwait(false); }
        catch (IpcChildStartException) { }
        int pid = worker.Pid ?? 0, code = worker.ExitCode ?? -1;
        lock (_gate)
        {
            if (_terminating) return;
            long held = Interlocked.Exchange(ref _current[slot], PoolSlot.Idle);
            // Through the results queue, behind anything the worker put before it died: a result that made it wins.
            // A death mid-take (Taking) names no task: the collector reconciles.
            if (held != PoolSlot.Idle) _results.Put(PoolMessage.WorkerLost(held, pid, code), long.MaxValue);
            // Exit 0 after Close with nothing left queued: it left as asked. (With work left it hit maxTasksPerChild.)
            if (_closed && code == 0 && !_tasks.Ring.HasData) return;
            worker.Dispose();
            try { StartWorker(slot); }
            catch (Exception e) when (e is IpcException or IOException or InvalidOperationException)
            {
                // The pool runs one worker short rather than failing callers that did nothing wrong.
                _workers[slot] = null;
                _monitors[slot] = null;
                Console.Error.WriteLine($"ProcessPool: could not replace worker pid {pid}: {e.Message}");
            }
        }
    }

    private bool WaitForWorkers(Deadline deadline)
    {
        while (true)
        {
            Task[] monitors;
            lock (_gate) monitors = _monitors.Where(m => m is not null).ToArray()!;
            if (!Task.WaitAll(monitors, deadline.RemainingMilliseconds)) return false;
            lock (_gate)
                if (_monitors.Where(m => m is not null).SequenceEqual(monitors)) return true; // no replacement started meanwhile
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

    private const int ReconcileIntervalMs = 250;

    private void CollectResults()
    {
        while (true)
        {
            // While a worker's death mid-take is unexplained, wake up regularly to look for the task it took.
            long deadline = _takingDeaths.Count > 0 ? Environment.TickCount64 + ReconcileIntervalMs : long.MaxValue;
            TakeOutcome outcome;
            byte[] message;
            try { outcome = _results.Take(deadline, out message); }
            catch (ObjectDisposedException) { return; }
            if (outcome == TakeOutcome.Closed) return;
            if (outcome == TakeOutcome.Taken) Settle(message);
            if (_takingDeaths.Count > 0) Reconcile();
        }
    }

    /// <summary>Applies one result message. Anything malformed is dropped or fails its task; nothing escapes.</summary>
    private void Settle(byte[] message)
    {
        if (!PoolMessage.TryReadResult(message, out long taskId, out byte status, out var body)) return; // names no task
        if (status == PoolMessageLayout.Lost && taskId == PoolSlot.Taking)
        {
            try { var lost = (IpcWorkerLostException)PoolMessage.ReadFailure(body, status); _takingDeaths.Enqueue((lost.Pid, lost.ExitCode)); }
            catch (IpcSerializationException) { }
            _lostCandidates = null;
            return;
        }
        if (!_pending.TryRemove(taskId, out var p)) return; // already settled (a worker lost after its result went out), or not ours
        _maxSettledTaskId = Math.Max(_maxSettledTaskId, taskId);
        try
        {
            if (status != PoolMessageLayout.Ok) { p.Job.ChunkFailed(p.Chunk, PoolMessage.ReadFailure(body, status)); return; }
            int items = PoolMessage.ReadItems(body);
            if (items != p.Items) throw PoolMessage.Malformed("result", $"{items} values for a task of {p.Items} items");
            p.Job.ChunkSucceeded(p.Chunk, body, items);
        }
        catch (Exception e)
        {
            // A result that cannot be decoded fails its task, never the collector.
            p.Job.ChunkFailed(p.Chunk, e is IpcException ? e : new IpcSerializationException($"The pool result could not be read: {e.Message}", e));
        }
    }

    /// <summary>Finds tasks taken by a worker that died before their id reached its slot, and fails them with
    /// <see cref="IpcWorkerLostException"/>. Task ids rise in queue order and takes are FIFO, so a queued task that
    /// no slot holds and no result settled, and that is below a task already taken (or the queue is empty), was
    /// taken by a dead worker — or by a live one between its take and its slot write, which lasts nanoseconds: a
    /// hole counts only when two rounds <see cref="ReconcileIntervalMs"/> apart both see it.</summary>
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
        while (_results.Take(0, out var message) == TakeOutcome.Taken) Settle(message);
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
            if (_pending.TryRemove(id, out var p)) p.Job.ChunkFailed(p.Chunk, new IpcWorkerLostException(death.Pid, death.ExitCode));
        }
    }

    /// <summary>The task queue, for tests that write hostile messages into it.</summary>
    internal QueueChannel<byte[]> TaskQueue => _tasks;

    /// <summary>The result queue, for tests that write hostile messages into it.</summary>
    internal QueueChannel<byte[]> ResultQueue => _results;
}
