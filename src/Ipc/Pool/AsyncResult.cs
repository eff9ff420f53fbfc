namespace NativeIpc;

/// <summary>The pending result of <see cref="ProcessPool.ApplyAsync{TResult}(Func{TResult})"/> and friends.</summary>
/// <typeparam name="TResult">What the function returns.</typeparam>
/// <remarks>Python: multiprocessing.pool.AsyncResult</remarks>
public sealed class AsyncResult<TResult>
{
    private readonly Task<TResult> _task;

    internal AsyncResult(Task<TResult> task) => _task = task;

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
    /// <exception cref="TimeoutException">The task did not finish within <paramref name="timeout"/>.</exception>
    /// <exception cref="IpcRemoteException">The function threw in the worker.</exception>
    /// <exception cref="IpcWorkerLostException">The worker running the task died.</exception>
    /// <remarks>Python: AsyncResult.get(timeout)</remarks>
    public TResult Get(TimeSpan? timeout = null)
    {
        if (!Wait(timeout)) throw new TimeoutException($"The pool task did not finish within {timeout!.Value.TotalMilliseconds} ms.");
        return _task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for the task to finish.</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/> waits until it finishes.</param>
    /// <returns>True if it finished (successfully or not) within the timeout.</returns>
    /// <remarks>Python: AsyncResult.wait(timeout)</remarks>
    public bool Wait(TimeSpan? timeout = null)
    {
        try { return _task.Wait(Deadline.From(timeout).RemainingMilliseconds); }
        catch (AggregateException) { return true; }
    }

    /// <summary>The result as a <see cref="Task{TResult}"/>, for <c>await</c>.</summary>
    public Task<TResult> AsTask() => _task;
}
