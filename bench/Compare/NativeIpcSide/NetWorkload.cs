using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>net-tcp-rtt, net-unix-rtt, net-tcp-oneway-1MiB: the pipe rows' work over a <see cref="Listener"/> in this
/// process and a child that connects with <see cref="Client.Connect"/> (authkey handshake untimed);
/// manager-remote-dict-ops: manager-dict-ops through a manager a child serves on loopback TCP.</summary>
internal sealed class NetWorkload(string name) : IWorkload
{
    private static readonly byte[] Key = "compare-bench-key"u8.ToArray();

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        if (name == "manager-remote-dict-ops") return RemoteManager(settings);
        var spec = WorkloadCatalog.Get(name)!;
        int n = settings.CountOf(name);
        bool pingPong = name.EndsWith("rtt", StringComparison.Ordinal);
        bool unix = name.StartsWith("net-unix", StringComparison.Ordinal);
        if (unix && UnixSockets.Unavailable is { } why) return Measurement.Missing(why);
        // Linux: the abstract namespace (no file); elsewhere a socket file in the temp folder (the listener deletes it).
        var address = !unix ? IpcAddress.Tcp("127.0.0.1", 0)
            : OperatingSystem.IsLinux() ? IpcAddress.UnixAbstract("nipc-compare-" + Guid.NewGuid().ToString("N"))
            : IpcAddress.Unix(Path.Combine(Path.GetTempPath(), $"nipc-compare-{Guid.NewGuid():N}.sock"));
        using var listener = new Listener(address, Key);
        using var children = new Children();
        children.Add(pingPong
            ? IpcProcess.Start(EchoChild, listener.Address.ToString(), settings.Repeats + 1, n)
            : IpcProcess.Start(SendChild, listener.Address.ToString(), settings.Repeats + 1, n, spec.MessageBytes));
        var end = new PipeWorkload.ConnectionEnd(listener.Accept(TimeSpan.FromSeconds(60)));
        using (end)
        {
            var p99s = new List<double>();
            var m = Sampler.Repeat(settings, pingPong
                ? () => PipeWorkload.PingPongRound(end, n, 0.5, p99s)
                : () => PipeWorkload.OneWayRound(end, n, spec.MessageBytes));
            children.JoinAll();
            return m;
        }
    }

    private static IMessageEnd Connect(string address)
        => new PipeWorkload.ConnectionEnd(Client.Connect(IpcAddress.Parse(address), Key, TimeSpan.FromSeconds(60)));

    private static void EchoChild(string address, int rounds, int n)
    {
        using var end = Connect(address);
        PipeWorkload.Echo(end, rounds, n);
    }

    private static void SendChild(string address, int rounds, int n, int size)
    {
        using var end = Connect(address);
        PipeWorkload.Send(end, rounds, n, size);
    }

    /// <summary>As ManagerDictOps, through a manager served by a child on 127.0.0.1 (every call a TCP round trip).</summary>
    private static Measurement RemoteManager(Settings settings)
    {
        int n = settings.CountOf("manager-remote-dict-ops");
        var (mine, theirs) = Multiprocessing.Pipe();
        using var children = new Children();
        children.Add(IpcProcess.Start(ServeChild, theirs));
        theirs.Dispose();
        using (mine)
        {
            var address = IpcAddress.Parse(mine.Recv<string>(TimeSpan.FromSeconds(60)));
            using var manager = IpcManager.Connect(address, Key, TimeSpan.FromSeconds(60));
            var m = ManagerDictOps.SetThenGet(settings, manager.Dict<int, int>("bench"), n);
            mine.Send("stop");
            children.JoinAll();
            return m;
        }
    }

    private static void ServeChild(Connection control)
    {
        using var manager = IpcManager.Serve(IpcAddress.Tcp("127.0.0.1", 0), Key);
        control.Send(manager.Address!.ToString());
        control.Recv<string>();
    }
}
