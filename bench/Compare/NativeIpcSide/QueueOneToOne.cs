using System.Buffers.Binary;
using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>queue-1to1-*: one producer child puts n messages, this process gets them; timed from the producer's
/// "ready" item to the last get. 8 B rows use <c>IpcQueue&lt;long&gt;</c> (the index is the item), the others
/// <c>IpcQueue&lt;byte[]&gt;</c> (index in the first 8 bytes; every get returns a new array, as Python's does).
/// One child serves the warm-up and every repeat, one command per round, so process start is never timed.</summary>
internal sealed class QueueOneToOne(string name) : IWorkload
{
    /// <summary>The producer's "ready" item on the long queue (indices are never negative).</summary>
    private const long Ready = -1;

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        int n = settings.CountOf(name);
        int size = WorkloadCatalog.Get(name)!.MessageBytes;
        using var commands = new IpcQueue<long>(4096);
        using var children = new Children();
        int rounds = settings.Repeats + 1;
        Measurement m;
        if (size == 8)
        {
            using var data = new IpcQueue<long>();
            children.Add(IpcProcess.Start(ProduceLongs, data, commands, rounds));
            m = Sampler.Repeat(settings, () => GetLongs(data, commands, n));
        }
        else
        {
            using var data = new IpcQueue<byte[]>();
            children.Add(IpcProcess.Start(ProduceBytes, data, commands, rounds, size));
            m = Sampler.Repeat(settings, () => GetBytes(data, commands, n, size));
        }
        children.JoinAll();
        return m;
    }

    private static double GetLongs(IpcQueue<long> data, IpcQueue<long> commands, int n)
    {
        commands.Put(n);
        VerificationException.Check(data.Get(Children.Limit) == Ready, "no ready item");
        long t0 = Stopwatch.GetTimestamp();
        long sum = 0;
        for (int i = 0; i < n; i++) sum += data.Get(Children.Limit);
        double seconds = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        Verify(n, 8, sum, 8L * n);
        return n / seconds;
    }

    private static double GetBytes(IpcQueue<byte[]> data, IpcQueue<long> commands, int n, int size)
    {
        commands.Put(n);
        VerificationException.Check(data.Get(Children.Limit).Length == 0, "no ready message");
        long t0 = Stopwatch.GetTimestamp();
        long sum = 0, bytes = 0;
        for (int i = 0; i < n; i++)
        {
            var m = data.Get(Children.Limit);
            bytes += m.Length;
            sum += BinaryPrimitives.ReadInt64LittleEndian(m);
        }
        double seconds = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        Verify(n, size, sum, bytes);
        return n / seconds;
    }

    private static void Verify(int n, int size, long sum, long bytes)
        => VerificationException.Check(sum == (long)n * (n - 1) / 2 && bytes == (long)n * size,
            $"received {bytes} bytes, index sum {sum}; expected {(long)n * size} and {(long)n * (n - 1) / 2}");

    private static void ProduceLongs(IpcQueue<long> data, IpcQueue<long> commands, int rounds)
    {
        for (int r = 0; r < rounds; r++)
        {
            long n = commands.Get(Children.Limit);
            data.Put(Ready);
            for (long i = 0; i < n; i++) data.Put(i);
        }
    }

    private static void ProduceBytes(IpcQueue<byte[]> data, IpcQueue<long> commands, int rounds, int size)
    {
        var payload = new byte[size];
        for (int r = 0; r < rounds; r++)
        {
            long n = commands.Get(Children.Limit);
            data.Put([]);
            for (long i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(payload, i);
                data.Put(payload);
            }
        }
    }
}
