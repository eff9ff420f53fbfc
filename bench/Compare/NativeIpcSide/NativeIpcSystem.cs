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
        new QueueRecords(QueueRecords.Default), new QueueRecords(QueueRecords.MemoryPack),
        new QueueOneToOne("queue-1to1-256B"), new QueueOneToOne("queue-1to1-1KiB"), new QueueOneToOne("queue-1to1-16KiB"),
        new QueueOneToOne("queue-1to1-256KiB"), new QueueOneToOne("queue-1to1-1MiB"),
        new QueueTwoToTwo("queue-1p1c-8B", 1), new QueueTwoToTwo("queue-2to2-8B", 2),
        new QueueTwoToTwo("queue-4to4-8B", 4), new QueueTwoToTwo("queue-8to8-8B", 8),
        new PipeWorkload("pipe-pingpong-median"), new PipeWorkload("pipe-pingpong-p99"),
        new PipeWorkload("pipe-oneway-64B"), new PipeWorkload("pipe-oneway-4KiB"), new PipeWorkload("pipe-oneway-1MiB"),
        new Contention(Contention.ValueUnderLock),
        new Contention(Contention.ValueAtomic),
        new ArrayWriteRead(),
        new Contention(Contention.Lock),
        new EventPingPong(),
        new AsyncRoundTrip(AsyncRoundTrip.Queue), new AsyncRoundTrip(AsyncRoundTrip.Pipe),
        new ProcessStartJoin("process-start-join"), new ProcessStartJoin("process-start-join-standby"),
        new ProcessStartJoin("process-start-join-standby-spaced"),
        new PoolWorkload("pool-first-result"), new PoolWorkload("pool-map-chunk1"),
        new PoolWorkload("pool-map-cpu-speedup"), new PoolWorkload("apply-async-rtt"),
        new PoolWorkload("pool-map-w1"), new PoolWorkload("pool-map-w2"), new PoolWorkload("pool-map-w4"), new PoolWorkload("pool-map-w8"),
        new ManagerDictOps(),
        new NetWorkload("net-tcp-rtt"), new NetWorkload("net-unix-rtt"), new NetWorkload("net-tcp-oneway-1MiB"),
        new NetWorkload("manager-remote-dict-ops"),
        new NotApplicable("process-start-join-fork", "n/a: never forks"),
        // Pool and manager rows: not built yet.
    ], missingStatus: "not built yet");
}
