using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;
using NativeIpc.Serialization;

namespace NativeIpc.Pool;

/// <summary>Work submitted in one call (a map, or one apply): its chunks' outcomes arrive from the result collector.</summary>
internal abstract class PoolJob
{
    /// <param name="chunks">Task messages the job is split into.</param>
    protected PoolJob(int chunks) => TaskIds = new long[chunks];

    /// <summary>Each chunk's task id once queued (0 before): what a cancellation removes from the pool.</summary>
    public long[] TaskIds { get; }

    /// <summary>The caller's cancellation registration; released when the job ends.</summary>
    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>A chunk's values; <paramref name="r"/> is positioned at them (after the item count, which the caller
    /// checked against the chunk). Throws if they cannot be decoded; nothing is recorded then.</summary>
    public abstract void ChunkSucceeded(int chunk, BinaryReader r, int items);

    public abstract void ChunkFailed(int chunk, Exception error);

    /// <summary>Applies a worker's result message for <paramref name="chunk"/> (of <paramref name="expectedItems"/>
    /// items): its values, or its failure. A result that cannot be decoded fails the chunk, never the reader (local
    /// pool and ClusterPool alike).</summary>
    public void ApplyResult(int chunk, int expectedItems, byte status, BinaryReader body)
    {
        try
        {
            if (status != PoolMessageLayout.Ok) { ChunkFailed(chunk, PoolMessage.ReadFailure(body, status)); return; }
            int items = PoolMessage.ReadItems(body);
            if (items != expectedItems) throw PoolMessage.Malformed("result", $"{items} values for a task of {expectedItems} items");
            ChunkSucceeded(chunk, body, items);
        }
        catch (Exception e)
        {
            ChunkFailed(chunk, e is IpcException ? e : new IpcSerializationException($"The pool result could not be read: {e.Message}", e));
        }
    }

    /// <summary>True when an outcome runs user code (a callback or a progress report): it is then applied on the
    /// pool's collector thread, never by a caller reading results.</summary>
    public abstract bool RunsUserCode { get; }

    /// <summary>Ends every chunk not finished yet with <see cref="OperationCanceledException"/>.</summary>
    public abstract void Cancel(CancellationToken token);

    /// <summary>Runs a user callback on the calling (pool) thread: an exception in it is reported, never thrown into
    /// the pool.</summary>
    protected static void RunCallback<TArg>(Action<TArg>? callback, TArg arg)
    {
        if (callback is null) return;
        try { callback(arg); }
        catch (Exception e)
        {
            // As Python's result handler does, the pool carries on; the result itself is delivered as usual.
            IpcLog.Pool.LogError(e, "ProcessPool: a callback threw");
        }
    }
}

/// <summary>The results of one map (or apply, a map of one item): the whole array as a task, plus each chunk's
/// outcome for ordered and unordered lazy iteration, sync or async.</summary>
internal sealed class PoolJob<TResult> : PoolJob
{
    private readonly object _gate = new();
    private readonly TResult[] _results;
    private readonly int _chunkSize;
    private readonly Exception?[] _errors;
    private readonly bool[] _done;
    private readonly Queue<int> _finishedOrder = new();
    private int _remaining;
    private int _itemsDone;
    private int _ended; // 1 once the job's outcome (result, first failure or cancellation) is delivered
    private TaskCompletionSource? _changed; // async waiters' wake-up, created on demand, completed on every chunk
    private readonly TaskCompletionSource<TResult[]> _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TResult>? _single;

    /// <param name="count">Items.</param>
    /// <param name="chunkSize">Items per task message.</param>
    /// <param name="single">An apply: also complete <see cref="Single"/> with the one result, saving a thread-pool hop per call.</param>
    public PoolJob(int count, int chunkSize, bool single = false) : base(count == 0 ? 0 : (count + chunkSize - 1) / chunkSize)
    {
        if (single) _single = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _results = new TResult[count];
        _chunkSize = chunkSize;
        int chunks = TaskIds.Length;
        _errors = new Exception?[chunks];
        _done = new bool[chunks];
        _remaining = chunks;
        if (chunks == 0) _all.SetResult(_results);
    }

    /// <summary>Items done so far (after each successful chunk), reported from the collector thread.</summary>
    public IProgress<int>? Progress { get; init; }

    /// <summary>An apply's success callback (Python's <c>callback</c>), run before the result is set.</summary>
    public Action<TResult>? SingleCallback { get; init; }

    /// <summary>A map's success callback, given the whole result array.</summary>
    public Action<TResult[]>? AllCallback { get; init; }

    /// <summary>Run once, with the first failure (or the cancellation).</summary>
    public Action<Exception>? ErrorCallback { get; init; }

    public Task<TResult[]> All => _all.Task;

    public override bool RunsUserCode => SingleCallback is not null || AllCallback is not null || ErrorCallback is not null || Progress is not null;

    public Task<TResult> Single => _single?.Task ?? throw new InvalidOperationException("Not an apply job.");

    public int Chunks => _done.Length;

    /// <summary>Items per task message (the last may hold fewer).</summary>
    public int ChunkSize => _chunkSize;

    public override void ChunkSucceeded(int chunk, BinaryReader r, int items)
    {
        int start = chunk * _chunkSize;
        // A raw block is checked whole before it is copied: straight into place.
        if (!PoolMessage.TryReadRawValues(r, _results.AsSpan(start, items)))
        {
            var values = new TResult[items];
            for (int i = 0; i < items; i++)
                values[i] = ArgumentCodec.Read(r, typeof(TResult)) is { } v ? (TResult)v : default!;
            values.CopyTo(_results, start);
        }
        Finish(chunk, null);
    }

    public override void ChunkFailed(int chunk, Exception error) => Finish(chunk, error);

    public override void Cancel(CancellationToken token)
    {
        var canceled = new OperationCanceledException("The pool tasks were cancelled.", token);
        TaskCompletionSource? changed;
        lock (_gate)
        {
            if (_remaining == 0) return;
            for (int chunk = 0; chunk < _done.Length; chunk++)
            {
                if (_done[chunk]) continue;
                _done[chunk] = true;
                _errors[chunk] = canceled;
                _finishedOrder.Enqueue(chunk);
            }
            _remaining = 0;
            changed = _changed;
            _changed = null;
            Monitor.PulseAll(_gate);
        }
        changed?.TrySetResult();
        End(canceled);
    }

    private void Finish(int chunk, Exception? error)
    {
        bool last;
        int itemsDone;
        TaskCompletionSource? changed;
        lock (_gate)
        {
            if (_done[chunk]) return;
            _done[chunk] = true;
            _errors[chunk] = error;
            _finishedOrder.Enqueue(chunk);
            last = --_remaining == 0;
            if (error is null) _itemsDone += ItemsIn(chunk);
            itemsDone = _itemsDone;
            changed = _changed;
            _changed = null;
            Monitor.PulseAll(_gate);
        }
        changed?.TrySetResult();
        if (error is null && Progress is { } progress)
        {
            try { progress.Report(itemsDone); }
            catch (Exception e) { IpcLog.Pool.LogError(e, "ProcessPool: a progress report threw"); }
        }
        // Python's map fails as a whole at the first failed chunk.
        if (error is not null || last) End(error);
    }

    /// <summary>Delivers the job's outcome once: callbacks first, then the task (Python sets the result after its callback).</summary>
    private void End(Exception? error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        Registration.Unregister(); // never Dispose here: it would wait for a cancellation callback running this
        if (error is not null)
        {
            RunCallback(ErrorCallback, error);
            // An apply's whole-array task is never looked at: leaving it pending avoids an unobserved-exception report.
            var target = _single is null ? (TaskCompletionSource<TResult[]>?)_all : null;
            if (error is OperationCanceledException oce)
            {
                _single?.TrySetCanceled(oce.CancellationToken);
                target?.TrySetCanceled(oce.CancellationToken);
            }
            else
            {
                _single?.TrySetException(error);
                target?.TrySetException(error);
            }
        }
        else if (_single is not null)
        {
            RunCallback(SingleCallback, _results[0]);
            _single.TrySetResult(_results[0]);
        }
        else
        {
            RunCallback(AllCallback, _results);
            _all.TrySetResult(_results);
        }
    }

    private int ItemsIn(int chunk) => Math.Min(_chunkSize, _results.Length - chunk * _chunkSize);

    /// <summary>Results in input order, each yielded as soon as its chunk is done; each wait is bounded by <paramref name="timeout"/>.</summary>
    public IEnumerable<TResult> InOrder(TimeSpan? timeout)
    {
        for (int chunk = 0; chunk < _done.Length; chunk++)
        {
            lock (_gate)
                WaitUntil(() => _done[chunk], timeout);
            foreach (var r in ChunkResults(chunk)) yield return r;
        }
    }

    /// <summary>Results in the order chunks finish; each wait is bounded by <paramref name="timeout"/>.</summary>
    public IEnumerable<TResult> AsCompleted(TimeSpan? timeout)
    {
        for (int k = 0; k < _done.Length; k++)
        {
            int chunk;
            lock (_gate)
            {
                WaitUntil(() => _finishedOrder.Count > 0, timeout);
                chunk = _finishedOrder.Dequeue();
            }
            foreach (var r in ChunkResults(chunk)) yield return r;
        }
    }

    /// <summary><see cref="InOrder"/> for <c>await foreach</c>: the waits hold no thread.</summary>
    public async IAsyncEnumerable<TResult> InOrderAsync(TimeSpan? timeout, [EnumeratorCancellation] CancellationToken token = default)
    {
        for (int chunk = 0; chunk < _done.Length; chunk++)
        {
            int c = chunk;
            await WaitUntilAsync(() => _done[c], timeout, token).ConfigureAwait(false);
            foreach (var r in ChunkResults(chunk)) yield return r;
        }
    }

    /// <summary><see cref="AsCompleted"/> for <c>await foreach</c>: the waits hold no thread.</summary>
    public async IAsyncEnumerable<TResult> AsCompletedAsync(TimeSpan? timeout, [EnumeratorCancellation] CancellationToken token = default)
    {
        for (int k = 0; k < _done.Length; k++)
        {
            await WaitUntilAsync(() => _finishedOrder.Count > 0, timeout, token).ConfigureAwait(false);
            int chunk;
            lock (_gate) chunk = _finishedOrder.Dequeue(); // one enumerator per job: nobody took it meanwhile
            foreach (var r in ChunkResults(chunk)) yield return r;
        }
    }

    private ArraySegment<TResult> ChunkResults(int chunk)
    {
        if (_errors[chunk] is { } e) throw e;
        int start = chunk * _chunkSize;
        return new ArraySegment<TResult>(_results, start, ItemsIn(chunk));
    }

    /// <summary>Waits on the gate (held by the caller) until <paramref name="ready"/>.</summary>
    /// <exception cref="TimeoutException">Not ready within <paramref name="timeout"/>.</exception>
    private void WaitUntil(Func<bool> ready, TimeSpan? timeout)
    {
        var deadline = Deadline.From(timeout);
        while (!ready())
        {
            if (deadline.HasPassed) throw NoResult(timeout);
            Monitor.Wait(_gate, deadline.RemainingMilliseconds);
        }
    }

    /// <summary>Awaits the next chunk outcome until <paramref name="ready"/>, holding no thread.</summary>
    private async Task WaitUntilAsync(Func<bool> ready, TimeSpan? timeout, CancellationToken token)
    {
        token.ThrowIfCancellationRequested(); // a cancelled enumeration ends even when results are ready
        var deadline = Deadline.From(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (ready()) return;
                changed = (_changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            try { await changed.WaitAsync(deadline.Remaining, token).ConfigureAwait(false); }
            catch (TimeoutException)
            {
                lock (_gate)
                    if (ready()) return;
                throw NoResult(timeout);
            }
        }
    }

    private static TimeoutException NoResult(TimeSpan? timeout) => new($"No pool result within {timeout!.Value.TotalMilliseconds} ms.");

    /// <summary>The whole result, waiting at most <paramref name="timeout"/> (null or infinite: no limit). A
    /// cancellation of the job (by its token) ends the wait with <see cref="OperationCanceledException"/>.</summary>
    /// <exception cref="TimeoutException">Not done within <paramref name="timeout"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    public TResult[] Wait(TimeSpan? timeout)
    {
        try
        {
            if (!_all.Task.Wait(Deadline.From(timeout).RemainingMilliseconds))
                throw new TimeoutException($"The pool map did not finish within {timeout!.Value.TotalMilliseconds} ms.");
        }
        catch (AggregateException) { }
        return _all.Task.GetAwaiter().GetResult();
    }
}
