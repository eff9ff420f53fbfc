using BenchmarkDotNet.Attributes;

namespace NativeIpc.Benchmarks;

/// <summary>Issue #3 (a): a child writes a 64 MiB SharedArray&lt;double&gt; and the parent reads it (copies it out),
/// against a 64 MiB memcpy inside one process. GB/s = 64 MiB / mean time.</summary>
[MemoryDiagnoser(false)]
public class SharedMemoryThroughputBenchmarks
{
    private const int Doubles = 8 * 1024 * 1024; // 64 MiB
    private SharedArray<double> _data = null!;
    private SharedArray<int> _control = null!;
    private IpcProcess _writer = null!;
    private double[] _source = null!, _dest = null!;
    private int _request;

    /// <summary>Child: fills the array with the request number each time the parent rings.</summary>
    public static void Writer(SharedArray<double> data, SharedArray<int> control)
    {
        int seen = 0;
        while (true)
        {
            int request = Doorbell.WaitChange(control, Doorbell.RequestIndex, seen);
            if (request == Doorbell.Stop) return;
            seen = request;
            data.AsSpan().Fill(request);
            Doorbell.Ring(control, Doorbell.DoneIndex, request);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _data = SharedArray<double>.Create(Doubles);
        _control = SharedArray<int>.Create(Doorbell.ControlLength);
        _writer = IpcProcess.Start(Writer, _data, _control);
        _source = new double[Doubles];
        _dest = new double[Doubles];
        _source.AsSpan().Fill(1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Doorbell.Ring(_control, Doorbell.RequestIndex, Doorbell.Stop);
        if (!_writer.Join(TimeSpan.FromSeconds(30))) _writer.Kill();
        _writer.Dispose();
        _data.Dispose();
        _control.Dispose();
    }

    [Benchmark(Baseline = true, Description = "memcpy 64 MiB, one process")]
    public double MemcpySingleProcess()
    {
        _source.AsSpan().CopyTo(_dest);
        return _dest[^1];
    }

    [Benchmark(Description = "child writes 64 MiB SharedArray<double>, parent reads it")]
    public double ChildWritesParentReads()
    {
        int request = ++_request;
        Doorbell.Ring(_control, Doorbell.RequestIndex, request);
        Doorbell.WaitChange(_control, Doorbell.DoneIndex, request - 1);
        _data.CopyTo(_dest);
        if (_dest[0] != request || _dest[^1] != request) throw new InvalidOperationException($"Read {_dest[^1]}, expected {request}.");
        return _dest[^1];
    }

    [Benchmark(Description = "parent reads 64 MiB SharedArray<double> (no child)")]
    public double ParentReadsShared()
    {
        _data.CopyTo(_dest);
        return _dest[^1];
    }
}

/// <summary>Issue #3 (b): two processes (parent and a child) each do 1,000,000 atomic increments of one
/// SharedValue&lt;long&gt; at the same time; the total is checked exactly. Per-op time over both processes' 2,000,000.</summary>
[MemoryDiagnoser(false)]
public class SharedMemoryAtomicBenchmarks
{
    private const int PerProcess = 1_000_000;
    private SharedValue<long> _counter = null!;
    private SharedArray<int> _control = null!;
    private IpcProcess _peer = null!;
    private int _request;

    /// <summary>Child: on each ring, does its million increments, then answers.</summary>
    public static void Incrementer(SharedValue<long> counter, SharedArray<int> control)
    {
        int seen = 0;
        while (true)
        {
            int request = Doorbell.WaitChange(control, Doorbell.RequestIndex, seen);
            if (request == Doorbell.Stop) return;
            seen = request;
            for (int i = 0; i < PerProcess; i++) counter.Increment();
            Doorbell.Ring(control, Doorbell.DoneIndex, request);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _counter = SharedValue<long>.Create(0);
        _control = SharedArray<int>.Create(Doorbell.ControlLength);
        _peer = IpcProcess.Start(Incrementer, _counter, _control);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Doorbell.Ring(_control, Doorbell.RequestIndex, Doorbell.Stop);
        if (!_peer.Join(TimeSpan.FromSeconds(30))) _peer.Kill();
        _peer.Dispose();
        _counter.Dispose();
        _control.Dispose();
    }

    [Benchmark(OperationsPerInvoke = 2 * PerProcess, Description = "2 processes x 1M SharedValue<long>.Increment")]
    public long TwoProcessIncrements()
    {
        long before = _counter.Value;
        int request = ++_request;
        Doorbell.Ring(_control, Doorbell.RequestIndex, request);
        for (int i = 0; i < PerProcess; i++) _counter.Increment();
        Doorbell.WaitChange(_control, Doorbell.DoneIndex, request - 1);
        long total = _counter.Value - before;
        if (total != 2L * PerProcess) throw new InvalidOperationException($"Lost updates: {total} increments counted, {2 * PerProcess} done.");
        return total;
    }
}
