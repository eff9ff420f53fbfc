namespace NativeIpc.Cluster;

/// <summary>How the MPI thread waits for MPI: MPI offers no handle to sleep on (a blocking <c>MPI_Recv</c> busy-polls
/// inside the library), so the thread polls with <c>MPI_Iprobe</c>: a short <see cref="SpinPhase"/>, then sleeps of
/// <see cref="SleepMs"/> on a word that a local event (work submitted, shutdown) wakes at once. mpi4py.futures does
/// the same (its backoff sleeps up to 1 ms). The spin is short because on a node with as many ranks as cores the
/// spinning rank takes a core from a worker.</summary>
internal sealed unsafe class ClusterWait
{
    /// <summary>Spin steps (each one poll of MPI and a ~40 ns pause, <see cref="SpinPhase"/>) before sleeping; tunable
    /// with NATIVEIPC_CLUSTER_SPIN. 4500 keeps the spin as long as 500 steps of the former ~360 ns pause (at 500 fine
    /// steps rank 0 slept too soon: chunk-1 map 89k → 38k task/s, idle, same minute).</summary>
    public static readonly int SpinSteps = int.TryParse(Environment.GetEnvironmentVariable("NATIVEIPC_CLUSTER_SPIN"), out int s) && s >= 0 ? s : 4500;

    /// <summary>One sleep between polls once the spin is spent (the futex timeout's granularity).</summary>
    public const int SleepMs = 1;

    private readonly int* _words = (int*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(2 * sizeof(int)); // seq, sleepers: process lifetime
    private SpinPhase _spin = new(SpinSteps);

    private EventCount Event => new(_words, _words + 1);

    /// <summary>Call after a poll that found something: the next idle polls spin again (<paramref name="spin"/>: something
    /// is expected soon), or sleep at once.</summary>
    public void Progressed(bool spin = true) => _spin = new SpinPhase(spin ? SpinSteps : 0);

    /// <summary>Call after a poll that found nothing: spins one step, or sleeps until <see cref="Notify"/> or one
    /// slice of <paramref name="sleepMs"/> (<paramref name="untilNotified"/>: until notified, when MPI can bring nothing).</summary>
    public void Idle(bool untilNotified, Func<bool> ready, int sleepMs = SleepMs)
    {
        if (_spin.Spin()) return;
        ClusterTrace.Mark(ClusterTrace.Event.Sleep, untilNotified ? 0 : sleepMs);
        Event.Wait(static r => r(), ready, Deadline.Infinite, untilNotified ? WaitTuning.NoSlice : sleepMs, default);
        ClusterTrace.Mark(ClusterTrace.Event.Woke);
    }

    /// <summary>Wakes the MPI thread (work was submitted, or it should stop).</summary>
    public void Notify()
    {
        Interlocked.MemoryBarrier();
        Event.Notify();
    }
}
