using System.Diagnostics;
using MemoryPack;
using NativeIpc.Compare.Core;
using NativeIpc.MemoryPack;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>queue-1to1-record*: the queue 1→1 row with a small record instead of bytes, once through the default
/// serializer for a custom type (System.Text.Json over reflection: <see cref="PlainRecord"/> names none) and once through
/// MemoryPack (<see cref="PackedRecord"/>, <see cref="MemoryPackIpcSerializer{T}"/>), so readers see what the fast path
/// buys. Timed like <see cref="QueueOneToOne"/>: from the producer's "ready" item to the last get.</summary>
internal sealed class QueueRecords(string name) : IWorkload
{
    public const string Default = "queue-1to1-record";
    public const string MemoryPack = "queue-1to1-record-memorypack";

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        int n = settings.CountOf(name);
        using var commands = new IpcQueue<long>(4096);
        using var children = new Children();
        int rounds = settings.Repeats + 1;
        Measurement m;
        if (name == Default)
        {
            using var data = new IpcQueue<PlainRecord>();
            children.Add(IpcProcess.Start(ProducePlain, data, commands, rounds));
            m = Sampler.Repeat(settings, () => Get(data, commands, n, r => r.Id));
        }
        else
        {
            using var data = new IpcQueue<PackedRecord>();
            children.Add(IpcProcess.Start(ProducePacked, data, commands, rounds));
            m = Sampler.Repeat(settings, () => Get(data, commands, n, r => r.Id));
        }
        children.JoinAll();
        return m;
    }

    private static double Get<T>(IpcQueue<T> data, IpcQueue<long> commands, int n, Func<T, long> id)
    {
        commands.Put(n);
        VerificationException.Check(id(data.Get(Children.Limit)) == -1, "no ready item");
        long t0 = Stopwatch.GetTimestamp();
        long sum = 0;
        for (int i = 0; i < n; i++) sum += id(data.Get(Children.Limit));
        double seconds = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        VerificationException.Check(sum == (long)n * (n - 1) / 2, $"index sum {sum}; expected {(long)n * (n - 1) / 2}");
        return n / seconds;
    }

    private static void ProducePlain(IpcQueue<PlainRecord> data, IpcQueue<long> commands, int rounds)
    {
        for (int r = 0; r < rounds; r++)
        {
            long n = commands.Get(Children.Limit);
            data.Put(new PlainRecord(-1, "ready", 0, 0));
            for (long i = 0; i < n; i++) data.Put(new PlainRecord(i, "widget", 9.99, 3));
        }
    }

    private static void ProducePacked(IpcQueue<PackedRecord> data, IpcQueue<long> commands, int rounds)
    {
        for (int r = 0; r < rounds; r++)
        {
            long n = commands.Get(Children.Limit);
            data.Put(new PackedRecord(-1, "ready", 0, 0));
            for (long i = 0; i < n; i++) data.Put(new PackedRecord(i, "widget", 9.99, 3));
        }
    }
}

/// <summary>A small record with no serializer of its own: NativeIpc's default for custom types (System.Text.Json).</summary>
internal sealed record PlainRecord(long Id, string Name, double Price, int Quantity);

/// <summary>The same record, encoded by MemoryPack.</summary>
[MemoryPackable]
[IpcSerializer(typeof(MemoryPackIpcSerializer<PackedRecord>))]
internal sealed partial record PackedRecord(long Id, string Name, double Price, int Quantity);
