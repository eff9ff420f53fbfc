using System.Runtime.CompilerServices;
using NativeIpc.Pool;

namespace NativeIpc;

/// <summary>What <see cref="ProcessPool"/> (worker processes on this machine) and <see cref="ClusterPool"/> (worker ranks
/// of an MPI job) share: the map family (<c>Map</c>, <c>StarMap</c>, <c>Imap</c>, <c>ImapUnordered</c> and their async
/// forms), <see cref="Size"/> and the pool's life cycle. Code written against it runs on either pool; each pool adds its
/// own apply family and options. Only this library derives from it.</summary>
/// <remarks>Callbacks and progress reports run on the pool's own thread: the collector thread of a
/// <see cref="ProcessPool"/>, the MPI thread of a <see cref="ClusterPool"/>.</remarks>
public abstract class WorkerPool : IDisposable
{
    private protected WorkerPool() { }

    /// <summary>Number of workers the pool runs tasks on.</summary>
    public abstract int Size { get; }

    /// <summary>Accepts no more work; workers finish the queued tasks. Follow with <see cref="Join"/>.</summary>
    /// <remarks>Python: Pool.close()</remarks>
    public abstract void Close();

    /// <summary>Waits for the queued tasks to finish and the workers to stop, after <see cref="Close"/>.</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait (the workers carry on).</param>
    /// <returns>True when every worker has stopped and every result is delivered; false on timeout.</returns>
    /// <remarks>Python: Pool.join()</remarks>
    public abstract bool Join(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary><see cref="Join"/> for <c>await</c>, holding no thread while it waits.</summary>
    /// <param name="cancellationToken">Stops the wait (the workers carry on).</param>
    /// <remarks>Python: Pool.join() (awaitable)</remarks>
    public abstract Task JoinAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops the workers now; tasks not finished fail.</summary>
    /// <remarks>Python: Pool.terminate()</remarks>
    public abstract void Terminate();

    /// <summary>Terminates the pool (see <see cref="Terminate"/>) and releases what it holds.</summary>
    /// <remarks>Python: Pool.__exit__</remarks>
    public abstract void Dispose();

    /// <summary>Queues <paramref name="job"/>'s chunks of <paramref name="items"/> for <paramref name="func"/>; a
    /// cancellable <paramref name="cancellationToken"/> removes the chunks still queued when cancelled
    /// (<see cref="CancelJob"/>).</summary>
    private protected abstract PoolJob<TResult> Submit<TResult>(Delegate func, PoolItems items, PoolJob<TResult> job, CancellationToken cancellationToken);

    /// <summary>Removes a job's queued tasks from the pool and ends the job with <see cref="OperationCanceledException"/>.</summary>
    private protected abstract void CancelJob(PoolJob job, CancellationToken token);

    /// <summary>Called when a synchronous map returns its <paramref name="results"/> results (a trace point).</summary>
    private protected virtual void OnMapReturned(int results) { }

    /// <summary>Runs <paramref name="func"/> on every item in the workers and returns the results in input order.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message; null: Python's automatic size
    /// (<see cref="AutoChunkSize"/>).</param>
    /// <param name="timeout">How long to wait for all results; null: no limit. A timeout does not cancel the tasks.</param>
    /// <param name="progress">Told the number of items done after each chunk (from the pool's own thread: see the remarks).</param>
    /// <param name="cancellationToken">Removes this call's queued tasks from the pool (they are skipped; a task
    /// already running finishes and its result is discarded) and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="TimeoutException">Not all results arrived within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IpcRemoteException">The function threw for some item (the first failure is reported).</exception>
    /// <exception cref="IpcWorkerLostException">A worker died while running some chunk (<see cref="ProcessPool"/>).</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running (<see cref="ProcessPool"/>).</exception>
    /// <remarks>Python: Pool.map(func, iterable, chunksize)</remarks>
    public TResult[] Map<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int? chunkSize = null, TimeSpan? timeout = null,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        _ = Deadline.From(timeout);
        var list = PoolItems.Single(items);
        var results = Submit(func, list, new PoolJob<TResult>(list.Count, ChunkSizeFor(list.Count, chunkSize)) { Progress = progress }, cancellationToken)
            .Wait(timeout);
        OnMapReturned(results.Length);
        return results;
    }

    /// <summary><see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, TimeSpan?, IProgress{int}?, CancellationToken)"/>
    /// with only a cancellation token.</summary>
    /// <remarks>Python: Pool.map</remarks>
    public TResult[] Map<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, CancellationToken cancellationToken)
        => Map(func, items, null, null, null, cancellationToken);

    /// <summary>Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, TimeSpan?, IProgress{int}?, CancellationToken)"/>,
    /// returning at once (after the tasks are queued; this waits only while the task queue is full). The task
    /// completes from the pool's own thread: awaiting it holds no thread.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items per task message; null: Python's automatic size (<see cref="AutoChunkSize"/>).</param>
    /// <param name="progress">Told the number of items done after each chunk.</param>
    /// <param name="callback">Given the results on the pool's own thread before the task completes; an
    /// exception in it is written to standard error and does not affect the pool.</param>
    /// <param name="errorCallback">Given the first failure (or the cancellation), likewise.</param>
    /// <param name="cancellationToken">Removes this call's queued tasks from the pool and cancels the task.</param>
    /// <remarks>Python: Pool.map_async(func, iterable, chunksize, callback, error_callback)</remarks>
    public Task<TResult[]> MapAsync<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int? chunkSize = null, IProgress<int>? progress = null,
        Action<TResult[]>? callback = null, Action<Exception>? errorCallback = null, CancellationToken cancellationToken = default)
    {
        var list = PoolItems.Single(items);
        var job = new PoolJob<TResult>(list.Count, ChunkSizeFor(list.Count, chunkSize))
        {
            Progress = progress, AllCallback = callback, ErrorCallback = errorCallback,
        };
        return Submit(func, list, job, cancellationToken).All;
    }

    /// <summary><see cref="MapAsync{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, IProgress{int}?, Action{TResult[]}?, Action{Exception}?, CancellationToken)"/>
    /// with only a cancellation token.</summary>
    /// <remarks>Python: Pool.map_async</remarks>
    public Task<TResult[]> MapAsync<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, CancellationToken cancellationToken)
        => MapAsync(func, items, null, null, null, null, cancellationToken);

    /// <summary>Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, TimeSpan?, IProgress{int}?, CancellationToken)"/>,
    /// but yields each result, in input order, as soon as it is ready. All tasks are queued by this call; enumeration
    /// only waits for results.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message.</param>
    /// <param name="timeout">Longest wait for each next result (a <see cref="TimeoutException"/> after it); null: no limit.</param>
    /// <param name="cancellationToken">Removes this call's queued tasks from the pool; enumeration then throws
    /// <see cref="OperationCanceledException"/>.</param>
    /// <remarks>Python: Pool.imap (next(timeout))</remarks>
    public IEnumerable<TResult> Imap<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int chunkSize = 1, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        _ = Deadline.From(timeout); // a bad timeout fails this call, not the first MoveNext
        var list = PoolItems.Single(items);
        return Submit(func, list, new PoolJob<TResult>(list.Count, CheckChunkSize(chunkSize)), cancellationToken).InOrder(timeout);
    }

    /// <summary>Like <see cref="Imap{T, TResult}"/>, yielding results in the order they finish.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message.</param>
    /// <param name="timeout">Longest wait for each next result (a <see cref="TimeoutException"/> after it); null: no limit.</param>
    /// <param name="cancellationToken">Removes this call's queued tasks from the pool; enumeration then throws
    /// <see cref="OperationCanceledException"/>.</param>
    /// <remarks>Python: Pool.imap_unordered</remarks>
    public IEnumerable<TResult> ImapUnordered<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int chunkSize = 1, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        _ = Deadline.From(timeout);
        var list = PoolItems.Single(items);
        return Submit(func, list, new PoolJob<TResult>(list.Count, CheckChunkSize(chunkSize)), cancellationToken).AsCompleted(timeout);
    }

    /// <summary><see cref="Imap{T, TResult}"/> for <c>await foreach</c>: results in input order, each as soon as it is
    /// ready; waiting holds no thread. All tasks are queued by this call.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message.</param>
    /// <param name="timeout">Longest wait for each next result (a <see cref="TimeoutException"/> after it); null: no limit.</param>
    /// <param name="cancellationToken">This token, or the enumerator's (<c>WithCancellation</c>), removes this call's
    /// queued tasks from the pool and ends the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <remarks>Python: Pool.imap (as an async iterator)</remarks>
    public IAsyncEnumerable<TResult> ImapAsync<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int chunkSize = 1, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        _ = Deadline.From(timeout);
        var list = PoolItems.Single(items);
        var job = Submit(func, list, new PoolJob<TResult>(list.Count, CheckChunkSize(chunkSize)), cancellationToken);
        return Iterate(job, ordered: true, timeout, cancellationToken);
    }

    /// <summary><see cref="ImapUnordered{T, TResult}"/> for <c>await foreach</c>: results in the order they finish;
    /// waiting holds no thread.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The inputs (read at once).</param>
    /// <param name="chunkSize">Items sent to a worker per task message.</param>
    /// <param name="timeout">Longest wait for each next result (a <see cref="TimeoutException"/> after it); null: no limit.</param>
    /// <param name="cancellationToken">This token, or the enumerator's, removes this call's queued tasks from the pool
    /// and ends the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <remarks>Python: Pool.imap_unordered (as an async iterator)</remarks>
    public IAsyncEnumerable<TResult> ImapUnorderedAsync<T, TResult>(Func<T, TResult> func, IEnumerable<T> items, int chunkSize = 1, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        _ = Deadline.From(timeout);
        var list = PoolItems.Single(items);
        var job = Submit(func, list, new PoolJob<TResult>(list.Count, CheckChunkSize(chunkSize)), cancellationToken);
        return Iterate(job, ordered: false, timeout, cancellationToken);
    }

    /// <summary>Like <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, TimeSpan?, IProgress{int}?, CancellationToken)"/>
    /// for a two-argument function: each item is a tuple of arguments.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The argument pairs (read at once).</param>
    /// <param name="chunkSize">Items per task message; null: Python's automatic size (<see cref="AutoChunkSize"/>).</param>
    /// <param name="timeout">How long to wait for all results; null: no limit.</param>
    /// <param name="progress">Told the number of items done after each chunk.</param>
    /// <param name="cancellationToken">Removes this call's queued tasks from the pool and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="TimeoutException">Not all results arrived within <paramref name="timeout"/>.</exception>
    /// <remarks>Python: Pool.starmap</remarks>
    public TResult[] StarMap<T1, T2, TResult>(Func<T1, T2, TResult> func, IEnumerable<(T1, T2)> items, int? chunkSize = null, TimeSpan? timeout = null,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        _ = Deadline.From(timeout);
        var list = PoolItems.Pairs(items);
        return Submit(func, list, new PoolJob<TResult>(list.Count, ChunkSizeFor(list.Count, chunkSize)) { Progress = progress }, cancellationToken)
            .Wait(timeout);
    }

    /// <summary>Like <see cref="StarMap{T1, T2, TResult}"/>, returning at once (after the tasks are queued).</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="items">The argument pairs (read at once).</param>
    /// <param name="chunkSize">Items per task message; null: Python's automatic size (<see cref="AutoChunkSize"/>).</param>
    /// <param name="progress">Told the number of items done after each chunk.</param>
    /// <param name="callback">Given the results on the pool's own thread before the task completes.</param>
    /// <param name="errorCallback">Given the first failure (or the cancellation).</param>
    /// <param name="cancellationToken">Removes this call's queued tasks from the pool and cancels the task.</param>
    /// <remarks>Python: Pool.starmap_async(func, iterable, chunksize, callback, error_callback)</remarks>
    public Task<TResult[]> StarMapAsync<T1, T2, TResult>(Func<T1, T2, TResult> func, IEnumerable<(T1, T2)> items, int? chunkSize = null,
        IProgress<int>? progress = null, Action<TResult[]>? callback = null, Action<Exception>? errorCallback = null,
        CancellationToken cancellationToken = default)
    {
        var list = PoolItems.Pairs(items);
        var job = new PoolJob<TResult>(list.Count, ChunkSizeFor(list.Count, chunkSize))
        {
            Progress = progress, AllCallback = callback, ErrorCallback = errorCallback,
        };
        return Submit(func, list, job, cancellationToken).All;
    }

    /// <summary>Python's chunk size for a map of <paramref name="items"/> items when none is given: the items spread
    /// over four chunks per worker, rounded up (<c>chunksize, extra = divmod(len(iterable), len(pool) * 4)</c>).</summary>
    /// <param name="items">Number of items.</param>
    /// <remarks>Python: Pool._map_async's default chunksize</remarks>
    public int AutoChunkSize(int items)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        int chunk = Math.DivRem(items, Size * 4, out int extra);
        if (extra != 0) chunk++;
        return Math.Max(chunk, 1);
    }

    private int ChunkSizeFor(int items, int? chunkSize) => chunkSize is { } c ? CheckChunkSize(c) : AutoChunkSize(items);

    private static int CheckChunkSize(int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        return chunkSize;
    }

    /// <summary>Enumerates a job's results; the enumerator's token cancels the job's queued tasks too.</summary>
    private async IAsyncEnumerable<TResult> Iterate<TResult>(PoolJob<TResult> job, bool ordered, TimeSpan? timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static (state, token) => { var (pool, j) = ((WorkerPool, PoolJob))state!; pool.CancelJob(j, token); }, ((WorkerPool, PoolJob))(this, job))
            : default;
        var results = ordered ? job.InOrderAsync(timeout, cancellationToken) : job.AsCompletedAsync(timeout, cancellationToken);
        await foreach (var r in results.ConfigureAwait(false)) yield return r;
    }
}
