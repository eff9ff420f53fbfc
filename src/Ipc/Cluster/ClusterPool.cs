using System.Collections.Concurrent;
using System.Reflection;
using NativeIpc.Cluster;

namespace NativeIpc;

/// <summary>A process pool whose workers are MPI ranks, on as many hosts as the MPI job spans: <see cref="ProcessPool"/>'s
/// surface, started with <c>mpiexec -n 4 MyApp</c> (MPICH's Hydra) or <c>srun --mpi=pmi2 -n 4 MyApp</c>. Rank 0 runs the
/// program and hands out tasks; every other rank runs the same program's functions.</summary>
/// <remarks>
/// <para>Every rank runs the same program. Rank 0's <c>new ClusterPool()</c> returns a pool whose workers are the other
/// ranks; on every other rank the constructor never returns: the rank serves tasks until rank 0's process exits, then
/// exits with code 0. Code before the constructor runs on every rank (guard it with <see cref="Rank"/> if it should
/// not). Functions and arguments follow <see cref="ProcessPool"/>'s rules exactly (static methods or capture-free
/// lambdas; the same serializers and wire format).</para>
/// <para>Chunks go out as workers ask for them (dynamic load balancing): a worker holds the chunk it runs and, while
/// the backlog is long, the next. <see cref="WorkerPool.Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, int?, TimeSpan?, IProgress{int}?, CancellationToken)"/>
/// and <see cref="WorkerPool.Imap{T, TResult}"/> return results in input order, <see cref="WorkerPool.ImapUnordered{T, TResult}"/> as they
/// finish. A function that throws fails its task only (<see cref="IpcRemoteException"/>); the rank carries on.</para>
/// <para>Faults: MPI ends the whole job when a rank dies (killed, crashed, or a function called
/// <see cref="Environment.Exit"/>): <c>mpiexec</c> kills every other rank and exits non-zero, naming the rank that died.
/// Pending calls do not hang: the program ends with them. <see cref="Terminate"/> cannot interrupt a function that is
/// running on a worker rank (MPI can only abort the whole job); it fails the caller's pending tasks at once and the
/// worker's late result is discarded.</para>
/// <para>Several pools may be used one after another (or at once) on rank 0; they share the worker ranks. The worker
/// ranks stop when rank 0's process exits.</para>
/// <para>Needs an MPI library of the MPICH ABI (MPICH, Intel MPI, Cray MPICH, MVAPICH), found as <c>libmpich.so.12</c> or
/// <c>libmpi.so.12</c> (or named in <c>NATIVEIPC_MPI_LIBRARY</c>); Open MPI is not supported. Outside an MPI launcher the
/// constructor throws <see cref="IpcMpiException"/>; use <see cref="ProcessPool"/> for one machine.</para>
/// </remarks>
/// <example><code>
/// // mpiexec -n 4 ./MyApp
/// using var pool = new ClusterPool();           // worker ranks never get past this line
/// long[] squares = pool.Map(static (long x) =&gt; x * x, Enumerable.Range(0, 10_000).Select(i =&gt; (long)i));
/// </code></example>
public sealed partial class ClusterPool : WorkerPool
{
    private static readonly ConcurrentDictionary<MethodInfo, PoolMessage.Target> s_targets = new();
    private static long s_nextTaskId; // one sequence for every pool of the process: a result names its task alone

    /// <summary>Chunks a map queues between wake-ups of the MPI thread (a large map's first chunks go out while the rest
    /// are encoded).</summary>
    private const int NotifyEvery = 64;

    private readonly ClusterRuntime _runtime;
    private readonly ClusterDispatcher _dispatcher;
    private readonly ConcurrentDictionary<long, PendingTask> _pending = new();
    private readonly ConcurrentDictionary<int, byte[]> _targetTags = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _closed;
    private volatile bool _terminating;
    private volatile bool _disposed;

    /// <summary>On rank 0: a pool whose workers are the job's other ranks (MPI is initialized on first use). On every
    /// other rank: serves tasks until rank 0's process exits, then ends this process; it never returns.</summary>
    /// <exception cref="IpcMpiException">The program was not started by an MPI launcher, the job has fewer than two
    /// ranks, or no MPI library of the MPICH ABI could be loaded.</exception>
    /// <remarks>Python: mpi4py.futures.MPIPoolExecutor() (and, on worker ranks, <c>python -m mpi4py.futures</c>)</remarks>
    public ClusterPool()
    {
        _runtime = ClusterRuntime.Get();
        if (_runtime.Rank != 0) _runtime.WaitForever();
        _dispatcher = _runtime.Dispatcher!;
    }

    /// <summary>True when an MPI launcher (<c>mpiexec</c>, <c>srun</c>) started this process; nothing is initialized.
    /// When false, <c>new ClusterPool()</c> throws <see cref="IpcMpiException"/>: a program can pick a
    /// <see cref="ProcessPool"/> instead.</summary>
    public static bool IsUnderMpi => MpiEnvironment.IsLaunched;

    /// <summary>This process's MPI rank: 0 runs the program, the others are workers (initializes MPI, and on a worker
    /// rank starts serving tasks).</summary>
    /// <exception cref="IpcMpiException">Not under MPI (see the constructor).</exception>
    public static int Rank => ClusterRuntime.Get().Rank;

    /// <summary>Number of worker ranks (the job's ranks but rank 0).</summary>
    public override int Size => _dispatcher.Workers;

    /// <summary>The MPI library, rank 0's host, and how many workers share its memory (those ring rank 0 when they send,
    /// and are rung), e.g. "MPICH Version: 4.0.2 (libmpich.so.12) on node1; 2 of 2 workers ring".</summary>
    public string MpiDescription => $"{_runtime.Description}; {_dispatcher.RingingWorkers} of {Size} workers ring";

    // ------------------------------------------------------------------ lifetime

    /// <summary>Accepts no more work; the queued tasks still run. Follow with <see cref="Join"/>.</summary>
    /// <remarks>Python: Pool.close()</remarks>
    public override void Close()
    {
        _closed = true;
        CheckDrained();
    }

    /// <summary>Waits until every task submitted before <see cref="Close"/> has finished and its result is delivered.
    /// The worker ranks stay up (they serve later pools; they end when rank 0's process exits).</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>True when everything finished; false on timeout.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Close"/> or <see cref="Terminate"/> was not called first.</exception>
    /// <remarks>Python: Pool.join()</remarks>
    public override bool Join(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        if (!_closed) throw new InvalidOperationException("Call Close() or Terminate() before Join().");
        try { return _drained.Task.Wait(deadline.RemainingMilliseconds, cancellationToken); }
        catch (AggregateException) { return true; }
    }

    /// <summary><see cref="Join"/> for <c>await</c>, holding no thread while it waits.</summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="InvalidOperationException"><see cref="Close"/> or <see cref="Terminate"/> was not called first.</exception>
    /// <remarks>Python: Pool.join() (awaitable)</remarks>
    public override Task JoinAsync(CancellationToken cancellationToken = default)
    {
        if (!_closed) throw new InvalidOperationException("Call Close() or Terminate() before Join().");
        return _drained.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops now: tasks not finished fail with <see cref="InvalidOperationException"/>, queued ones are never
    /// sent. A function already running on a worker rank runs to its end (MPI cannot interrupt one rank) and its result
    /// is discarded.</summary>
    /// <remarks>Python: Pool.terminate()</remarks>
    public override void Terminate()
    {
        if (_terminating) return;
        _terminating = true;
        _closed = true;
        FailPending(() => new InvalidOperationException("The pool was terminated before this task finished."));
        _dispatcher.Poke();
        CheckDrained();
    }

    /// <summary>Terminates the pool (see <see cref="Terminate"/>). Afterwards submitting work throws
    /// <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Python: Pool.__exit__</remarks>
    public override void Dispose()
    {
        if (_disposed) return;
        Terminate();
        _disposed = true;
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"<ClusterPool size={Size} state={(_terminating ? "TERMINATE" : _closed ? "CLOSE" : "RUN")} pending={_pending.Count}>";

    // ------------------------------------------------------------------ internals

    private void ThrowIfNotAccepting()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_closed) throw new InvalidOperationException("The pool is closed; it accepts no more tasks.");
    }

    /// <summary>Encodes <paramref name="job"/>'s chunks as ProcessPool task messages and queues them for the workers.</summary>
    private protected override PoolJob<TResult> Submit<TResult>(Delegate func, PoolItems items, PoolJob<TResult> job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(func);
        ThrowIfNotAccepting();
        var target = s_targets.GetOrAdd(func.Method, static (_, f) => PoolMessage.Describe(f), func);
        byte[] tag = _targetTags.GetOrAdd(target.Id, static (_, t) => PoolMessage.TargetTag(t.Key, t.Target), (Key: _runtime.Key, Target: target));
        int chunkSize = job.ChunkSize;
        ClusterTrace.Mark(ClusterTrace.Event.MapStart, items.Count, job.Chunks);
        if (cancellationToken.CanBeCanceled && job.Chunks > 0)
            job.Registration = cancellationToken.Register(
                static (state, token) => { var (pool, j) = ((ClusterPool, PoolJob))state!; pool.CancelJob(j, token); }, ((ClusterPool, PoolJob))(this, job));
        try
        {
            for (int chunk = 0; chunk < job.Chunks && !cancellationToken.IsCancellationRequested; chunk++)
            {
                int start = chunk * chunkSize, count = Math.Min(chunkSize, items.Count - start);
                long taskId = Interlocked.Increment(ref s_nextTaskId);
                byte[] message = items.RentedChunk(taskId, target, tag, start, count, out int length, out bool rented);
                Volatile.Write(ref job.TaskIds[chunk], taskId);
                _pending[taskId] = new PendingTask(job, chunk, count); // before it is queued: its result must find it
                // The MPI thread is woken once per batch of chunks, not per chunk: woken at the first, it would compete
                // for a core with this thread while it encodes the rest (and with the workers, on a full node).
                _dispatcher.Enqueue(new ClusterDispatcher.Outgoing(this, taskId, message, length, rented), notify: (chunk + 1) % NotifyEvery == 0);
            }
        }
        finally
        {
            _dispatcher.Poke();
        }
        if (cancellationToken.IsCancellationRequested) CancelJob(job, cancellationToken);
        ClusterTrace.Mark(ClusterTrace.Event.MapQueued, items.Count);
        return job;
    }

    /// <inheritdoc/>
    private protected override void OnMapReturned(int results) => ClusterTrace.Mark(ClusterTrace.Event.MapReturned, results);

    /// <summary>Drops a job's unfinished chunks (queued ones are never sent; running ones' results are discarded).</summary>
    private protected override void CancelJob(PoolJob job, CancellationToken token)
    {
        foreach (ref long id in job.TaskIds.AsSpan())
        {
            long taskId = Volatile.Read(ref id);
            if (taskId != 0) _pending.TryRemove(taskId, out _);
        }
        job.Cancel(token);
        _dispatcher.Poke();
        CheckDrained();
    }

    private void FailPending(Func<Exception> error)
    {
        foreach (var id in _pending.Keys)
            if (_pending.TryRemove(id, out var p)) p.Job.ChunkFailed(p.Chunk, error());
    }

    private void CheckDrained()
    {
        if (_closed && _pending.IsEmpty) _drained.TrySetResult();
    }

    /// <summary>True while the task's caller still waits for it (the dispatcher sends only those).</summary>
    internal bool IsPending(long taskId) => _pending.ContainsKey(taskId);

    /// <summary>Fails one task (the dispatcher, when MPI failed or the program exits).</summary>
    internal void Fail(long taskId, Exception error)
    {
        if (_pending.TryRemove(taskId, out var p)) p.Job.ChunkFailed(p.Chunk, error);
        CheckDrained();
    }

    /// <summary>Applies a worker's result message (on the MPI thread). Anything malformed fails its task; nothing escapes.</summary>
    internal void Settle(ArraySegment<byte> message)
    {
        if (!PoolMessage.TryReadResult(message, out long taskId, out byte status, out var body)) return;
        if (!_pending.TryRemove(taskId, out var p)) return; // cancelled or terminated meanwhile
        try
        {
            p.Job.ApplyResult(p.Chunk, p.Items, status, body);
        }
        finally
        {
            CheckDrained();
        }
    }

    /// <summary>A queued chunk waiting for its result.</summary>
    private sealed class PendingTask(PoolJob job, int chunk, int items)
    {
        public readonly PoolJob Job = job;
        public readonly int Chunk = chunk;
        public readonly int Items = items;
    }
}
