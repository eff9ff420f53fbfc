using System.Runtime.CompilerServices;

namespace NativeIpc;

/// <summary>The pending result of <see cref="ProcessPool.ApplyAsync{TResult}(Func{TResult}, CancellationToken, Action{TResult}?, Action{Exception}?)"/> and friends.</summary>
/// <typeparam name="TResult">What the function returns.</typeparam>
/// <remarks>Python: multiprocessing.pool.AsyncResult</remarks>
public sealed class AsyncResult<TResult>
{
    private readonly Task<TResult> _task;
    private readonly ProcessPool? _pool; // set when a waiting caller may read the pool's results itself

    internal AsyncResult(Task<TResult> task, ProcessPool? pool = null)
    {
        _task = task;
        _pool = pool;
    }

    /// <summary>True once the task has finished, successfully or not.</summary>
    /// <remarks>Python: AsyncResult.ready()</remarks>
    public bool Ready => _task.IsCompleted;

    /// <summary>True if the task finished without an exception.</summary>
    /// <exception cref="InvalidOperationException">The task has not finished yet.</exception>
    /// <remarks>Python: AsyncResult.successful()</remarks>
    public bool Successful => _task.IsCompleted
        ? _task.IsCompletedSuccessfully
        : throw new InvalidOperationException("The task has not finished yet; check Ready first.");

    /// <summary>Waits for the result and returns it.</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/> waits until the task finishes.</param>
    /// <param name="cancellationToken">Stops this wait (the task itself is cancelled only by the token given to
    /// <see cref="ProcessPool.ApplyAsync{TResult}(Func{TResult}, CancellationToken, Action{TResult}?, Action{Exception}?)"/>).</param>
    /// <exception cref="TimeoutException">The task did not finish within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The task was cancelled, or <paramref name="cancellationToken"/> was.</exception>
    /// <exception cref="IpcRemoteException">The function threw in the worker.</exception>
    /// <exception cref="IpcWorkerLostException">The worker running the task died.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: AsyncResult.get(timeout)</remarks>
    public TResult Get(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (!Wait(timeout, cancellationToken)) throw new TimeoutException($"The pool task did not finish within {timeout!.Value.TotalMilliseconds} ms.");
        return _task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for the task to finish.</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/> waits until it finishes.</param>
    /// <param name="cancellationToken">Stops this wait (the task keeps its place in the pool).</param>
    /// <returns>True if it finished (successfully or not) within the timeout.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <remarks>Python: AsyncResult.wait(timeout)</remarks>
    public bool Wait(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline.From(timeout);
        if (_task.IsCompleted) return true;
        if (_pool is { } pool) return pool.WaitReading(_task, deadline, cancellationToken, counted: false);
        try { return _task.Wait(deadline.RemainingMilliseconds, cancellationToken); }
        catch (AggregateException) { return true; }
    }

    /// <summary><see cref="Get"/> with no limit for a caller already counted as a reader (<see cref="ProcessPool.EnterReading"/>).</summary>
    internal TResult GetCounted()
    {
        _pool!.WaitReading(_task, Deadline.Infinite, default, counted: true);
        return _task.GetAwaiter().GetResult();
    }

    /// <summary>The result as a <see cref="Task{TResult}"/>; it completes from the pool's result collector, so
    /// awaiting it holds no thread.</summary>
    public Task<TResult> AsTask() => _task;

    /// <summary>Makes the result awaitable: <c>int r = await pool.ApplyAsync(f, x);</c>. Awaiting holds no thread.</summary>
    /// <remarks>Python: <c>await loop.run_in_executor(...)</c> is the nearest; <c>AsyncResult</c> itself is not awaitable there.</remarks>
    public TaskAwaiter<TResult> GetAwaiter() => _task.GetAwaiter();

    /// <summary>Configures how an <c>await</c> on the result resumes (as <see cref="Task.ConfigureAwait(bool)"/>).</summary>
    /// <param name="continueOnCapturedContext">False: resume on the thread pool, not the captured context.</param>
    public ConfiguredTaskAwaitable<TResult> ConfigureAwait(bool continueOnCapturedContext) => _task.ConfigureAwait(continueOnCapturedContext);
}
