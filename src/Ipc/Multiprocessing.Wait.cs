namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Waits until at least one of <paramref name="objects"/> is ready and returns those that are: a
    /// <see cref="Connection"/> with a message to receive or whose other end is closed, a queue
    /// (<see cref="IpcQueue{T}"/>, <see cref="IpcJoinableQueue{T}"/>, <see cref="IpcSimpleQueue{T}"/>) with an item or
    /// whose stream has ended, an <see cref="IpcProcess"/> that has exited.</summary>
    /// <param name="objects">What to wait on.</param>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <returns>The ready objects, in the order given; empty when the timeout passed first.</returns>
    /// <exception cref="ArgumentException">An object of another type is in the list.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    /// <remarks><para>Python: multiprocessing.connection.wait(object_list, timeout)</para>
    /// <para>It is <see cref="WaitAsync"/> blocked on: one async park per object, all sharing the process's parker
    /// thread(s), so a blocking wait on any number of objects costs this thread and nothing more. An object whose wait
    /// failed (e.g. disposed meanwhile) counts as ready: using it throws.</para></remarks>
    public static IReadOnlyList<object> Wait(IEnumerable<object> objects, TimeSpan? timeout = null)
    {
        var list = Checked(objects);
        var deadline = Deadline.From(timeout);
        var ready = ReadyNow(list, null);
        if (ready.Count > 0 || deadline.HasPassed) return ready;
        using var cts = new CancellationTokenSource();
        var wait = WaitCheckedAsync(list, cts.Token);
        try
        {
            if (wait.Wait(deadline.RemainingMilliseconds)) return wait.Result;
            cts.Cancel();
            try { return wait.GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { return ReadyNow(list, null); } // ready just as the timeout passed?
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            throw;
        }
    }

    /// <summary>Waits, without holding a thread, until at least one of <paramref name="objects"/> is ready (see
    /// <see cref="Wait"/> for what ready means) and returns those that are.</summary>
    /// <param name="objects">What to wait on.</param>
    /// <param name="cancellationToken">Stops the wait; nothing is left registered and nothing was received.</param>
    /// <returns>The ready objects, in the order given (never empty).</returns>
    /// <exception cref="ArgumentException">An object of another type is in the list.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <remarks>Python: multiprocessing.connection.wait(object_list) (no asyncio equivalent). Connections and queues
    /// park on their ring's data word (woken by the same wake as a synchronous receiver); processes complete through
    /// <see cref="IpcProcess.WaitForExitAsync"/>. The waits share one linked token, cancelled as soon as the first
    /// completes.</remarks>
    public static Task<IReadOnlyList<object>> WaitAsync(IEnumerable<object> objects, CancellationToken cancellationToken = default)
        => WaitCheckedAsync(Checked(objects), cancellationToken);

    private static async Task<IReadOnlyList<object>> WaitCheckedAsync(object[] list, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ready = ReadyNow(list, null);
        if (ready.Count > 0) return ready;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = new Task[list.Length];
        for (int i = 0; i < list.Length; i++) waits[i] = Start(list[i], linked.Token);
        try
        {
            await Task.WhenAny(waits).ConfigureAwait(false);
        }
        finally
        {
            // Every other wait ends (and unregisters) before we return.
            linked.Cancel();
            try { await Task.WhenAll(waits).ConfigureAwait(false); }
            catch { } // cancellations, and failures reported as "ready" below
        }
        cancellationToken.ThrowIfCancellationRequested();
        return ReadyNow(list, waits);
    }

    private static Task Start(object o, CancellationToken ct) => o switch
    {
        Connection c => c.PollAsync(Timeout.InfiniteTimeSpan, ct).AsTask(),
        IWaitableQueue q => q.WaitToReadAsync(ct).AsTask(),
        IpcProcess p => p.WaitForExitAsync(ct),
        _ => throw new System.Diagnostics.UnreachableException(),
    };

    /// <summary>The objects ready now; a wait in <paramref name="waits"/> that completed other than by cancellation
    /// counts as ready (a process's exit, a disposed object).</summary>
    private static List<object> ReadyNow(object[] list, Task[]? waits)
    {
        var ready = new List<object>();
        for (int i = 0; i < list.Length; i++)
        {
            bool done = waits is not null && waits[i].IsCompleted && !waits[i].IsCanceled;
            if (done || Probe(list[i])) ready.Add(list[i]);
        }
        return ready;
    }

    private static bool Probe(object o)
    {
        try
        {
            return o switch
            {
                Connection c => c.Poll(),
                IWaitableQueue q => q.IsReadyToRead,
                IpcProcess p => p.ExitCode is not null,
                _ => false,
            };
        }
        catch (ObjectDisposedException) { return true; }
    }

    private static object[] Checked(IEnumerable<object> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var list = objects.ToArray();
        foreach (var o in list)
            if (o is not (Connection or IWaitableQueue or IpcProcess))
                throw new ArgumentException($"Multiprocessing.Wait takes Connections, queues and IpcProcesses, not {o?.GetType().Name ?? "null"}.", nameof(objects));
        return list;
    }
}
