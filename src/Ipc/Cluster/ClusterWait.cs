namespace NativeIpc.Cluster;

/// <summary>How the MPI thread waits for MPI: MPI offers no handle to sleep on (a blocking <c>MPI_Recv</c> busy-polls
/// inside the library), so the thread polls with <c>MPI_Iprobe</c>: a short <see cref="SpinPhase"/>, then sleeps of
/// <see cref="SleepMs"/> on its doorbell (an <see cref="EventCount"/>), which a local event (work submitted, shutdown)
/// rings at once, and so does a rank of the same node right after it sent this one a message (the doorbell is then in
/// the node's shared MPI window: <see cref="IMpiTransport.Doorbell"/>). A message from another node is seen at the next
/// poll. mpi4py.futures polls too (its backoff sleeps up to 1 ms). The spin is short because on a node with as many
/// ranks as cores the spinning rank takes a core from a worker.</summary>
internal sealed unsafe class ClusterWait
{
    /// <summary>Spin steps (each one poll of MPI and a ~40 ns pause, <see cref="SpinPhase"/>) before sleeping; tunable
    /// with NATIVEIPC_CLUSTER_SPIN. 4500 keeps the spin as long as 500 steps of the former ~360 ns pause (at 500 fine
    /// steps rank 0 slept too soon: chunk-1 map 89k → 38k task/s, idle, same minute).</summary>
    public static readonly int SpinSteps = int.TryParse(Environment.GetEnvironmentVariable("NATIVEIPC_CLUSTER_SPIN"), out int s) && s >= 0 ? s : 4500;

    /// <summary>Spin steps before sleeping when every peer this rank waits for rings its doorbell: a sleep then costs a
    /// futex wake, not a poll slice, so a shorter spin takes less CPU from the ranks that compute. Tunable with
    /// NATIVEIPC_CLUSTER_RUNG_SPIN.</summary>
    public static readonly int RungSpinSteps = int.TryParse(Environment.GetEnvironmentVariable("NATIVEIPC_CLUSTER_RUNG_SPIN"), out int r) && r >= 0 ? r : 4500;

    /// <summary>One sleep between polls once the spin is spent (the futex timeout's granularity).</summary>
    public const int SleepMs = 1;

    private readonly int* _words; // sequence, sleepers: the shared doorbell, or process-lifetime private words
    private readonly int _spinSteps;
    private SpinPhase _spin;

    /// <param name="doorbell">This rank's doorbell in the node's shared window (<see cref="IMpiTransport.Doorbell"/>),
    /// or null: private words, rung by local events only.</param>
    /// <param name="peersRing">Every rank that sends this one messages rings its doorbell (<see cref="RungSpinSteps"/>).</param>
    public ClusterWait(int* doorbell, bool peersRing)
    {
        _words = doorbell != null ? doorbell : (int*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(ClusterDoorbellLayout.SlotSize);
        _spinSteps = peersRing && doorbell != null ? RungSpinSteps : SpinSteps;
        _spin = new SpinPhase(_spinSteps);
    }

    private EventCount Event => Of(_words);

    private static EventCount Of(int* doorbell)
        => new(doorbell, doorbell + (ClusterDoorbellLayout.SleepersOffset - ClusterDoorbellLayout.SequenceOffset) / sizeof(int));

    /// <summary>Call after a poll that found something: the next idle polls spin again (<paramref name="spin"/>: something
    /// is expected soon), or sleep at once.</summary>
    public void Progressed(bool spin = true) => _spin = new SpinPhase(spin ? _spinSteps : 0);

    /// <summary>Call after a poll that found nothing: spins one step, or sleeps until the doorbell rings or one slice of
    /// <paramref name="sleepMs"/> (<paramref name="untilNotified"/>: until rung, when MPI can bring nothing).
    /// <paramref name="ready"/> is checked after this thread is counted as a sleeper: it must poll MPI too where a peer
    /// rings, or a message sent (and rung) just before would wait for the slice.</summary>
    public void Idle(bool untilNotified, Func<bool> ready, int sleepMs = SleepMs)
    {
        if (_spin.Spin()) return;
        int before = Volatile.Read(ref *_words);
        ClusterTrace.Mark(ClusterTrace.Event.Sleep, untilNotified ? 0 : sleepMs);
        Event.Wait(static r => r(), ready, Deadline.Infinite, untilNotified ? WaitTuning.NoSlice : sleepMs, default);
        ClusterTrace.Mark(ClusterTrace.Event.Woke);
        // Rung: a message is on its way (it may take a few polls to be seen): spin for it again.
        if (Volatile.Read(ref *_words) != before) _spin = new SpinPhase(_spinSteps);
    }

    /// <summary>Wakes the MPI thread (work was submitted, or it should stop).</summary>
    public void Notify() => Ring(_words);

    /// <summary>Rings a doorbell (<see cref="IMpiTransport.Doorbell"/>; null: nothing) after a message was sent to its rank.</summary>
    public static void Ring(int* doorbell)
    {
        if (doorbell == null) return;
        Interlocked.MemoryBarrier();
        Of(doorbell).Notify();
    }
}
