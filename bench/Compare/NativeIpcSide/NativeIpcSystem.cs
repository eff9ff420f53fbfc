using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>The NativeIpc column. To plug a workload in: add a class implementing <see cref="IWorkload"/> in this
/// folder (its Name one of <see cref="WorkloadCatalog"/>'s), and list it below. Rows without one say "not built yet".</summary>
internal static class NativeIpcSystem
{
    public static ComparedSystem Create() => new("NativeIpc",
    [
        new QueueOneToOne("queue-1to1-8B"),
        new QueueOneToOne("queue-1to1-64B"),
        new QueueOneToOne("queue-1to1-4KiB"),
        new QueueOneToOne("queue-1to1-64KiB"),
        new QueueTwoToTwo(),
        new PipeWorkload("pipe-pingpong-median"), new PipeWorkload("pipe-pingpong-p99"),
        new PipeWorkload("pipe-oneway-64B"), new PipeWorkload("pipe-oneway-4KiB"), new PipeWorkload("pipe-oneway-1MiB"),
        new Contention(Contention.ValueUnderLock),
        new Contention(Contention.ValueAtomic),
        new ArrayWriteRead(),
        new Contention(Contention.Lock),
        new EventPingPong(),
        new AsyncRoundTrip(AsyncRoundTrip.Queue), new AsyncRoundTrip(AsyncRoundTrip.Pipe),
        new ProcessStartJoin(),
        new PoolWorkload("pool-first-result"), new PoolWorkload("pool-map-chunk1"),
        new PoolWorkload("pool-map-cpu-speedup"), new PoolWorkload("apply-async-rtt"),
        new ManagerDictOps(),
        new NetWorkload("net-tcp-rtt"), new NetWorkload("net-unix-rtt"), new NetWorkload("net-tcp-oneway-1MiB"),
        new NetWorkload("manager-remote-dict-ops"),
        new NotApplicable("process-start-join-fork", "n/a: never forks"),
        // Pool and manager rows: not built yet.
    ], missingStatus: "not built yet");
}
