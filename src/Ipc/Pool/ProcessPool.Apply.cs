using NativeIpc.Pool;

namespace NativeIpc;

// The apply family: Apply and ApplyAsync, with up to three arguments. The cancellation token comes right after the
// function's arguments and is a CancellationToken, so it never binds as an argument: ApplyAsync(f, x, token) picks the
// one-argument overload.
public sealed partial class ProcessPool
{
    /// <summary>Runs <paramref name="func"/>() in a worker and waits for its result.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="cancellationToken">Removes the task from the pool if no worker has taken it (a task already
    /// running finishes and its result is discarded) and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IpcRemoteException">The function threw in the worker.</exception>
    /// <exception cref="IpcWorkerLostException">The worker died while running it.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: Pool.apply</remarks>
    public TResult Apply<TResult>(Func<TResult> func, CancellationToken cancellationToken = default)
        => ApplyAndWait<TResult>(func, [], cancellationToken);

    /// <summary>Queues <paramref name="func"/>() for a worker; the result arrives in the returned <see cref="AsyncResult{TResult}"/>,
    /// which can be awaited (holding no thread).</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="cancellationToken">Removes the task from the pool if no worker has taken it (a task already
    /// running finishes and its result is discarded); the result then throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="callback">Given the result on the pool's collector thread before the result is set; an exception
    /// in it is written to standard error and does not affect the pool.</param>
    /// <param name="errorCallback">Given the failure (or the cancellation) instead, likewise.</param>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    /// <exception cref="InvalidOperationException">The pool was closed.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: Pool.apply_async(func, args, callback=..., error_callback=...)</remarks>
    public AsyncResult<TResult> ApplyAsync<TResult>(Func<TResult> func, CancellationToken cancellationToken = default,
        Action<TResult>? callback = null, Action<Exception>? errorCallback = null)
        => ApplyCore(func, [], cancellationToken, callback, errorCallback);

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>) in a worker and waits for its result.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1.</param>
    /// <param name="cancellationToken">Removes the task from the pool if no worker has taken it (a task already
    /// running finishes and its result is discarded) and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IpcRemoteException">The function threw in the worker.</exception>
    /// <exception cref="IpcWorkerLostException">The worker died while running it.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: Pool.apply</remarks>
    public TResult Apply<T1, TResult>(Func<T1, TResult> func, T1 arg1, CancellationToken cancellationToken = default)
        => ApplyAndWait<TResult>(func, [arg1], cancellationToken);

    /// <summary>Queues <paramref name="func"/>(<paramref name="arg1"/>) for a worker; the result arrives in the returned <see cref="AsyncResult{TResult}"/>,
    /// which can be awaited (holding no thread).</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1.</param>
    /// <param name="cancellationToken">Removes the task from the pool if no worker has taken it (a task already
    /// running finishes and its result is discarded); the result then throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="callback">Given the result on the pool's collector thread before the result is set; an exception
    /// in it is written to standard error and does not affect the pool.</param>
    /// <param name="errorCallback">Given the failure (or the cancellation) instead, likewise.</param>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    /// <exception cref="InvalidOperationException">The pool was closed.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: Pool.apply_async(func, args, callback=..., error_callback=...)</remarks>
    public AsyncResult<TResult> ApplyAsync<T1, TResult>(Func<T1, TResult> func, T1 arg1, CancellationToken cancellationToken = default,
        Action<TResult>? callback = null, Action<Exception>? errorCallback = null)
        => ApplyCore(func, [arg1], cancellationToken, callback, errorCallback);

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) in a worker and waits for its result.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1.</param>
    /// <param name="arg2">Argument 2.</param>
    /// <param name="cancellationToken">Removes the task from the pool if no worker has taken it (a task already
    /// running finishes and its result is discarded) and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IpcRemoteException">The function threw in the worker.</exception>
    /// <exception cref="IpcWorkerLostException">The worker died while running it.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: Pool.apply</remarks>
    public TResult Apply<T1, T2, TResult>(Func<T1, T2, TResult> func, T1 arg1, T2 arg2, CancellationToken cancellationToken = default)
        => ApplyAndWait<TResult>(func, [arg1, arg2], cancellationToken);

    /// <summary>Queues <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>) for a worker; the result arrives in the returned <see cref="AsyncResult{TResult}"/>,
    /// which can be awaited (holding no thread).</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1.</param>
    /// <param name="arg2">Argument 2.</param>
    /// <param name="cancellationToken">Removes the task from the pool if no worker has taken it (a task already
    /// running finishes and its result is discarded); the result then throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="callback">Given the result on the pool's collector thread before the result is set; an exception
    /// in it is written to standard error and does not affect the pool.</param>
    /// <param name="errorCallback">Given the failure (or the cancellation) instead, likewise.</param>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    /// <exception cref="InvalidOperationException">The pool was closed.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: Pool.apply_async(func, args, callback=..., error_callback=...)</remarks>
    public AsyncResult<TResult> ApplyAsync<T1, T2, TResult>(Func<T1, T2, TResult> func, T1 arg1, T2 arg2, CancellationToken cancellationToken = default,
        Action<TResult>? callback = null, Action<Exception>? errorCallback = null)
        => ApplyCore(func, [arg1, arg2], cancellationToken, callback, errorCallback);

    /// <summary>Runs <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>) in a worker and waits for its result.</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1.</param>
    /// <param name="arg2">Argument 2.</param>
    /// <param name="arg3">Argument 3.</param>
    /// <param name="cancellationToken">Removes the task from the pool if no worker has taken it (a task already
    /// running finishes and its result is discarded) and throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IpcRemoteException">The function threw in the worker.</exception>
    /// <exception cref="IpcWorkerLostException">The worker died while running it.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: Pool.apply</remarks>
    public TResult Apply<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default)
        => ApplyAndWait<TResult>(func, [arg1, arg2, arg3], cancellationToken);

    /// <summary>Queues <paramref name="func"/>(<paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>) for a worker; the result arrives in the returned <see cref="AsyncResult{TResult}"/>,
    /// which can be awaited (holding no thread).</summary>
    /// <param name="func">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1.</param>
    /// <param name="arg2">Argument 2.</param>
    /// <param name="arg3">Argument 3.</param>
    /// <param name="cancellationToken">Removes the task from the pool if no worker has taken it (a task already
    /// running finishes and its result is discarded); the result then throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="callback">Given the result on the pool's collector thread before the result is set; an exception
    /// in it is written to standard error and does not affect the pool.</param>
    /// <param name="errorCallback">Given the failure (or the cancellation) instead, likewise.</param>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    /// <exception cref="InvalidOperationException">The pool was closed.</exception>
    /// <exception cref="IpcPoolBrokenException">The pool could not keep workers running.</exception>
    /// <remarks>Python: Pool.apply_async(func, args, callback=..., error_callback=...)</remarks>
    public AsyncResult<TResult> ApplyAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> func, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default,
        Action<TResult>? callback = null, Action<Exception>? errorCallback = null)
        => ApplyCore(func, [arg1, arg2, arg3], cancellationToken, callback, errorCallback);

    private AsyncResult<TResult> ApplyCore<TResult>(Delegate func, object?[] args, CancellationToken cancellationToken,
        Action<TResult>? callback, Action<Exception>? errorCallback)
    {
        var job = new PoolJob<TResult>(1, 1, single: true) { SingleCallback = callback, ErrorCallback = errorCallback };
        Submit(func, PoolItems.Lists([args]), job, cancellationToken);
        // A caller waiting for a result without callbacks reads the results itself (ProcessPool.Collect.cs).
        return new(job.Single, job.RunsUserCode ? null : this);
    }

    /// <summary>Apply: counted as a reader before the task is queued, so the submit does not wake the collector.</summary>
    private TResult ApplyAndWait<TResult>(Delegate func, object?[] args, CancellationToken cancellationToken)
    {
        EnterReading();
        AsyncResult<TResult> result;
        try { result = ApplyCore<TResult>(func, args, cancellationToken, null, null); }
        catch
        {
            LeaveReading();
            throw;
        }
        return result.GetCounted();
    }
}
