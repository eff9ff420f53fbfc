using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>event-pingpong: this process sets A, the child waits A, clears it, sets B; this process waits B and clears
/// it. Median round trip in µs. One child serves the warm-up and every repeat.</summary>
internal sealed class EventPingPong : IWorkload
{
    public string Name => "event-pingpong";

    public Measurement Run(Settings settings)
    {
        int n = settings.CountOf(Name);
        using var ping = new IpcEvent();
        using var pong = new IpcEvent();
        using var children = new Children();
        children.Add(IpcProcess.Start(Echo, ping, pong, (settings.Repeats + 1) * n));
        var rtt = new double[n];
        var m = Sampler.Repeat(settings, () =>
        {
            for (int i = 0; i < n; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                ping.Set();
                VerificationException.Check(pong.Wait(Children.Limit), "no answer");
                pong.Clear();
                rtt[i] = Sampler.Seconds(t0, Stopwatch.GetTimestamp()) * 1e6;
            }
            return Measurement.Of(rtt).Median;
        });
        children.JoinAll();
        return m;
    }

    private static void Echo(IpcEvent ping, IpcEvent pong, int total)
    {
        for (int i = 0; i < total; i++)
        {
            if (!ping.Wait(Children.Limit)) throw new TimeoutException("no ping");
            ping.Clear();
            pong.Set();
        }
    }
}
