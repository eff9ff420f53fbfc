using NativeIpc.Platform.Unix;

namespace NativeIpc.Net;

/// <summary>Async waits for a socket to become readable or writable, on one epoll instance and one thread for the
/// whole process (started on first use), each wait armed one-shot and removed when it ends. Socket connections use
/// it instead of .NET's socket engine, which would keep every socket registered for good and wake its event thread
/// on every incoming message — also while a synchronous receive is already reading it.</summary>
internal static class SocketReadiness
{
    private static readonly object s_gate = new();
    private static readonly Dictionary<ulong, (TaskCompletionSource Done, int Fd)> s_waits = [];
    private static SocketReadinessPoller? s_poller;
    private static ulong s_next;

    /// <summary>Completes true once <paramref name="fd"/> is ready, false when <paramref name="deadline"/> passed;
    /// throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> fired first.</summary>
    public static async ValueTask<bool> WaitAsync(nint fd, bool write, Deadline deadline, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ulong token;
        SocketReadinessPoller poller;
        lock (s_gate)
        {
            poller = s_poller ??= Start();
            token = ++s_next;
            s_waits[token] = (done, (int)fd);
        }
        poller.Arm((int)fd, write, token);
        using var limit = deadline.IsInfinite ? null : new CancellationTokenSource(deadline.Remaining);
        using var a = ct.Register(static s => End((ulong)s!), token);
        using var b = limit?.Token.Register(static s => End((ulong)s!), token);
        try
        {
            await done.Task.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return false; }
    }

    /// <summary>Ends a wait early (cancelled or timed out): disarms its descriptor.</summary>
    private static void End(ulong token)
    {
        (TaskCompletionSource Done, int Fd) wait;
        lock (s_gate)
        {
            if (!s_waits.Remove(token, out wait)) return;
            s_poller!.Disarm(wait.Fd);
        }
        wait.Done.TrySetCanceled();
    }

    private static SocketReadinessPoller Start()
    {
        var poller = new SocketReadinessPoller();
        new Thread(() => Run(poller)) { IsBackground = true, Name = "NativeIpc socket readiness" }.Start();
        return poller;
    }

    private static void Run(SocketReadinessPoller poller)
    {
        Span<ulong> ready = stackalloc ulong[64];
        while (true)
        {
            int n = poller.Wait(ready, -1);
            for (int i = 0; i < n; i++)
            {
                (TaskCompletionSource Done, int Fd) wait;
                lock (s_gate)
                {
                    if (!s_waits.Remove(ready[i], out wait)) continue;
                    poller.Disarm(wait.Fd); // a one-shot registration stays in the set, disarmed: take it out
                }
                wait.Done.TrySetResult();
            }
        }
    }
}
