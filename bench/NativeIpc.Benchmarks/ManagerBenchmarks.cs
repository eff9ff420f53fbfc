using BenchmarkDotNet.Attributes;

namespace NativeIpc.Benchmarks;

/// <summary>Manager dict: <c>d[key] = i</c> then <c>d[key]</c>, on a 16-key IpcDict&lt;string, int&gt;, from one process
/// and from two at once (each on its own keys, so every read after the other's write decodes a fresh snapshot).
/// One op = one set + one get. Python's side: bench/python/manager_bench.py.</summary>
public class ManagerBenchmarks
{
    private const int Keys = 16;
    private const int PerProcess = 20_000;
    private IpcManager _manager = null!;
    private IpcDict<string, int> _dict = null!;
    private SharedArray<int> _control = null!;
    private IpcProcess _peer = null!;
    private int _request;
    private static readonly string[] s_parentKeys = Enumerable.Range(0, Keys / 2).Select(i => "parent-" + i).ToArray();
    private static readonly string[] s_childKeys = Enumerable.Range(0, Keys / 2).Select(i => "child-" + i).ToArray();

    /// <summary>Child: on each ring, does its set+get pairs, then answers.</summary>
    public static void Peer(IpcDict<string, int> dict, SharedArray<int> control)
    {
        int seen = 0;
        while (true)
        {
            int request = Doorbell.WaitChange(control, Doorbell.RequestIndex, seen);
            if (request == Doorbell.Stop) return;
            seen = request;
            SetGet(dict, s_childKeys);
            Doorbell.Ring(control, Doorbell.DoneIndex, request);
        }
    }

    private static long SetGet(IpcDict<string, int> dict, string[] keys)
    {
        long sum = 0;
        for (int i = 0; i < PerProcess; i++)
        {
            string key = keys[i % keys.Length];
            dict[key] = i;
            sum += dict[key];
        }
        return sum;
    }

    [GlobalSetup]
    public void Setup()
    {
        _manager = Multiprocessing.Manager();
        _dict = _manager.Dict<string, int>();
        foreach (var k in s_parentKeys.Concat(s_childKeys)) _dict[k] = 0;
        _control = SharedArray<int>.Create(Doorbell.ControlLength);
        _peer = IpcProcess.Start(Peer, _dict, _control);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Doorbell.Ring(_control, Doorbell.RequestIndex, Doorbell.Stop);
        if (!_peer.Join(TimeSpan.FromSeconds(30))) _peer.Kill();
        _peer.Dispose();
        _control.Dispose();
        _manager.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PerProcess, Description = "1 process: IpcDict set+get")]
    public long OneProcess() => SetGet(_dict, s_parentKeys);

    [Benchmark(OperationsPerInvoke = 2 * PerProcess, Description = "2 processes at once: IpcDict set+get")]
    public long TwoProcesses()
    {
        int request = ++_request;
        Doorbell.Ring(_control, Doorbell.RequestIndex, request);
        long sum = SetGet(_dict, s_parentKeys);
        Doorbell.WaitChange(_control, Doorbell.DoneIndex, request - 1);
        return sum;
    }
}
