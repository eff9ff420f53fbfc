using System.Diagnostics;
using System.Runtime.InteropServices;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>array-64MiB: a child fills a 64 MiB <c>SharedArray&lt;double&gt;</c> with k (<c>Fill</c>, timed in the child), this
/// process copies it all out (<c>CopyTo</c>, timed); every element checked, untimed. A fresh child per run, as Python's side.</summary>
internal sealed class ArrayWriteRead : IWorkload
{
    public string Name => "array-64MiB";

    public Measurement Run(Settings settings)
    {
        int bytes = WorkloadCatalog.Get(Name)!.MessageBytes;
        using var array = SharedArray<double>.Create(bytes / sizeof(double));
        using var reply = new IpcQueue<double>(4096);
        var copy = GC.AllocateUninitializedArray<double>(array.Length);
        int round = 0;
        return Sampler.Repeat(settings, () =>
        {
            double k = 1 + round++ % 250;
            using var children = new Children();
            children.Add(IpcProcess.Start(Fill, array, k, reply));
            double write = reply.Get(Children.Limit);
            children.JoinAll();
            long t0 = Stopwatch.GetTimestamp();
            array.CopyTo(copy);
            double read = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
            VerificationException.Check(MemoryMarshal.Cast<double, long>(copy).IndexOfAnyExcept(BitConverter.DoubleToInt64Bits(k)) < 0, "array content wrong");
            return 2.0 * bytes / (write + read) / 1e9;
        });
    }

    private static void Fill(SharedArray<double> array, double k, IpcQueue<double> reply)
    {
        long t0 = Stopwatch.GetTimestamp();
        array.Fill(k);
        reply.Put(Sampler.Seconds(t0, Stopwatch.GetTimestamp()));
    }
}
