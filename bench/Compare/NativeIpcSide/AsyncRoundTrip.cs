using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>async-queue-rtt and async-pipe-rtt: the median round trip of an 8-byte message when both sides await
/// (queue: PutAsync/GetAsync over a request and a reply queue; pipe: SendAsync/RecvAsync). Python's multiprocessing
/// has no awaitable queue or pipe (asyncio does not cover it): n/a there. One child serves the warm-up and every repeat.</summary>
internal sealed class AsyncRoundTrip(string name) : IWorkload
{
    public const string Queue = "async-queue-rtt";
    public const string Pipe = "async-pipe-rtt";

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        int n = settings.CountOf(name);
        long total = (long)(settings.Repeats + 1) * n;
        using var children = new Children();
        if (name == Queue)
        {
            using var requests = new IpcQueue<long>();
            using var replies = new IpcQueue<long>();
            children.Add(IpcProcess.Start(QueueEcho, requests, replies, total));
            var m = Sampler.Repeat(settings, () => Median(n, async i =>
            {
                await requests.PutAsync(i);
                return await replies.GetAsync();
            }));
            children.JoinAll();
            return m;
        }
        var (mine, theirs) = Multiprocessing.Pipe();
        using (mine)
        {
            children.Add(IpcProcess.Start(PipeEcho, theirs, total));
            theirs.Dispose();
            var m = Sampler.Repeat(settings, () => Median(n, async i =>
            {
                await mine.SendAsync(i);
                return await mine.RecvAsync<long>();
            }));
            children.JoinAll();
            return m;
        }
    }

    private static double Median(int n, Func<long, Task<long>> roundTrip) => Task.Run(async () =>
    {
        var rtt = new double[n];
        for (int i = 0; i < n; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            long back = await roundTrip(i);
            rtt[i] = Sampler.Seconds(t0, Stopwatch.GetTimestamp()) * 1e6;
            VerificationException.Check(back == i, "echo mismatch");
        }
        Array.Sort(rtt);
        return rtt[n / 2];
    }).GetAwaiter().GetResult();

    private static void QueueEcho(IpcQueue<long> requests, IpcQueue<long> replies, long total) => Task.Run(async () =>
    {
        for (long i = 0; i < total; i++) await replies.PutAsync(await requests.GetAsync());
    }).GetAwaiter().GetResult();

    private static void PipeEcho(Connection conn, long total) => Task.Run(async () =>
    {
        for (long i = 0; i < total; i++) await conn.SendAsync(await conn.RecvAsync<long>());
    }).GetAwaiter().GetResult();
}
