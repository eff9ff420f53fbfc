using NativeIpc.Platform.Unix;

namespace NativeIpc.Net;

/// <summary>Async waits for a socket to become readable or writable, on one epoll instance and one thread for the
/// whole process (started on first use); a descriptor is armed one-shot for what its waiters want (a read and a
/// write wait may be pending at once) and removed when none is left. Socket connections use it instead of .NET's
/// socket engine, which keeps every socket it touched registered for good and wakes its event thread on every
/// incoming message — also while a synchronous receive is reading it.</summary>
internal static class SocketReadiness
{
    private static readonly object s_gate = new();
    private static readonly Dictionary<int, Waiters> s_waits = [];
    private static SocketReadinessPoller? s_poller;

    private sealed class Waiters
    {
        public TaskCompletionSource? Read;
        public TaskCompletionSource? Write;
    }

    /// <summary>Completes true once <paramref name="fd"/> is ready, false when <paramref name="deadline"/> passed;
    /// throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> fired first.</summary>
    public static async ValueTask<bool> WaitAsync(nint fd, bool write, Deadline deadline, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int key = (int)fd;
        lock (s_gate)
        {
            s_poller ??= Start();
            if (!s_waits.TryGetValue(key, out var w)) s_waits[key] = w = new Waiters();
            if (write) w.Write = done;
            else w.Read = done;
            Rearm(key, w);
        }
        using var limit = deadline.IsInfinite ? null : new CancellationTokenSource(deadline.Remaining);
        using var a = ct.Register(() => End(key, done));
        using var b = limit?.Token.Register(() => End(key, done));
        try
        {
            await done.Task.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
    }

    /// <summary>Ends a wait early (cancelled or timed out).</summary>
    private static void End(int fd, TaskCompletionSource done)
    {
        lock (s_gate)
        {
            if (!s_waits.TryGetValue(fd, out var w)) return;
            if (w.Read == done) w.Read = null;
            else if (w.Write == done) w.Write = null;
            else return;
            Rearm(fd, w);
        }
        done.TrySetCanceled();
    }

    /// <summary>Arms <paramref name="fd"/> for what its waiters still want, or removes it when nothing. Under s_gate.</summary>
    private static void Rearm(int fd, Waiters w)
    {
        if (w.Read is null && w.Write is null)
        {
            s_waits.Remove(fd);
            s_poller!.Disarm(fd);
        }
        else s_poller!.Arm(fd, w.Read is not null, w.Write is not null);
    }

    private static SocketReadinessPoller Start()
    {
        var poller = new SocketReadinessPoller();
        new Thread(() => Run(poller)) { IsBackground = true, Name = "NativeIpc socket readiness" }.Start();
        return poller;
    }

    private static void Run(SocketReadinessPoller poller)
    {
        const int Batch = 64;
        Span<int> fds = stackalloc int[Batch];
        Span<bool> readable = stackalloc bool[Batch];
        Span<bool> writable = stackalloc bool[Batch];
        var wake = new List<TaskCompletionSource>();
        while (true)
        {
            int n = poller.Wait(fds, readable, writable, -1);
            lock (s_gate)
            {
                for (int i = 0; i < n; i++)
                {
                    if (!s_waits.TryGetValue(fds[i], out var w)) { poller.Disarm(fds[i]); continue; }
                    if (readable[i] && w.Read is { } r) { wake.Add(r); w.Read = null; }
                    if (writable[i] && w.Write is { } x) { wake.Add(x); w.Write = null; }
                    Rearm(fds[i], w); // one-shot: a waiter still pending needs the descriptor armed again
                }
            }
            foreach (var t in wake) t.TrySetResult();
            wake.Clear();
        }
    }
}
