using NativeIpc.Serialization;

namespace NativeIpc.Pool;

/// <summary>Work submitted in one call (a map, or one apply): its chunks' outcomes arrive from the result collector.</summary>
internal abstract class PoolJob
{
    /// <summary>A chunk's values; <paramref name="r"/> is positioned at them (after the item count, which the caller
    /// checked against the chunk). Throws if they cannot be decoded; nothing is recorded then.</summary>
    public abstract void ChunkSucceeded(int chunk, BinaryReader r, int items);

    public abstract void ChunkFailed(int chunk, Exception error);
}

/// <summary>The results of one map (or apply, a map of one item): the whole array as a task, plus each chunk's
/// outcome for ordered and unordered lazy iteration.</summary>
internal sealed class PoolJob<TResult> : PoolJob
{
    private readonly object _gate = new();
    private readonly TResult[] _results;
    private readonly int _chunkSize;
    private readonly Exception?[] _errors;
    private readonly bool[] _done;
    private readonly Queue<int> _finishedOrder = new();
    private int _remaining;
    private readonly TaskCompletionSource<TResult[]> _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TResult>? _single;

    /// <param name="count">Items.</param>
    /// <param name="chunkSize">Items per task message.</param>
    /// <param name="single">An apply: also complete <see cref="Single"/> with the one result, saving a thread-pool hop per call.</param>
    public PoolJob(int count, int chunkSize, bool single = false)
    {
        if (single) _single = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _results = new TResult[count];
        _chunkSize = chunkSize;
        int chunks = count == 0 ? 0 : (count + chunkSize - 1) / chunkSize;
        _errors = new Exception?[chunks];
        _done = new bool[chunks];
        _remaining = chunks;
        if (chunks == 0) _all.SetResult(_results);
    }

    public Task<TResult[]> All => _all.Task;

    public Task<TResult> Single => _single?.Task ?? throw new InvalidOperationException("Not an apply job.");

    public int Chunks => _done.Length;

    public override void ChunkSucceeded(int chunk, BinaryReader r, int items)
    {
        int start = chunk * _chunkSize;
        var values = new TResult[items];
        for (int i = 0; i < items; i++)
            values[i] = ArgumentCodec.Read(r, typeof(TResult)) is { } v ? (TResult)v : default!;
        values.CopyTo(_results, start);
        Finish(chunk, null);
    }

    public override void ChunkFailed(int chunk, Exception error) => Finish(chunk, error);

    private void Finish(int chunk, Exception? error)
    {
        bool last;
        lock (_gate)
        {
            if (_done[chunk]) return;
            _done[chunk] = true;
            _errors[chunk] = error;
            _finishedOrder.Enqueue(chunk);
            last = --_remaining == 0;
            Monitor.PulseAll(_gate);
        }
        // Python's map fails as a whole at the first failed chunk.
        if (_single is not null)
        {
            // An apply's whole-array task is never looked at: leaving it pending avoids an unobserved-exception report.
            if (error is not null) _single.TrySetException(error);
            else if (last) _single.TrySetResult(_results[0]);
        }
        else if (error is not null) _all.TrySetException(error);
        else if (last) _all.TrySetResult(_results);
    }

    /// <summary>Results in input order, each yielded as soon as its chunk is done; each wait is bounded by <paramref name="timeout"/>.</summary>
    public IEnumerable<TResult> InOrder(TimeSpan? timeout)
    {
        for (int chunk = 0; chunk < _done.Length; chunk++)
        {
            lock (_gate)
                WaitUntil(() => _done[chunk], timeout);
            if (_errors[chunk] is { } e) throw e;
            int start = chunk * _chunkSize, end = Math.Min(start + _chunkSize, _results.Length);
            for (int i = start; i < end; i++) yield return _results[i];
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
            if (_errors[chunk] is { } e) throw e;
            int start = chunk * _chunkSize, end = Math.Min(start + _chunkSize, _results.Length);
            for (int i = start; i < end; i++) yield return _results[i];
        }
    }

    /// <summary>Waits on the gate (held by the caller) until <paramref name="ready"/>.</summary>
    /// <exception cref="TimeoutException">Not ready within <paramref name="timeout"/>.</exception>
    private void WaitUntil(Func<bool> ready, TimeSpan? timeout)
    {
        var deadline = Deadline.From(timeout);
        while (!ready())
        {
            if (deadline.HasPassed) throw new TimeoutException($"No pool result within {timeout!.Value.TotalMilliseconds} ms.");
            Monitor.Wait(_gate, deadline.RemainingMilliseconds);
        }
    }

    /// <summary>The whole result, waiting at most <paramref name="timeout"/> (null or infinite: no limit).</summary>
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
