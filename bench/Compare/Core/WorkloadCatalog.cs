namespace NativeIpc.Compare.Core;

/// <summary>Every workload, once. Counts here are the ones all systems use: the app passes them to compare.py.</summary>
internal static class WorkloadCatalog
{
    public static readonly IReadOnlyList<WorkloadSpec> All =
    [
        new("queue-1to1-8B", "queue 1→1, 8 B", "msg/s", true, 200_000, 20_000, 8),
        new("queue-1to1-64B", "queue 1→1, 64 B", "msg/s", true, 200_000, 20_000, 64),
        new("queue-1to1-4KiB", "queue 1→1, 4 KiB", "msg/s", true, 50_000, 5_000, 4096),
        new("queue-1to1-64KiB", "queue 1→1, 64 KiB", "msg/s", true, 5_000, 500, 65536),
        new("queue-1to1-record", "queue 1→1, small record (default serializer)", "msg/s", true, 100_000, 10_000),
        new("queue-1to1-record-memorypack", "queue 1→1, small record (MemoryPack)", "msg/s", true, 100_000, 10_000),
        // Size scaling (with the four rows above: 8 B … 1 MiB; chart queue-size-scaling.png).
        new("queue-1to1-256B", "queue 1→1, 256 B", "msg/s", true, 200_000, 20_000, 256),
        new("queue-1to1-1KiB", "queue 1→1, 1 KiB", "msg/s", true, 100_000, 10_000, 1024),
        new("queue-1to1-16KiB", "queue 1→1, 16 KiB", "msg/s", true, 20_000, 2_000, 16384),
        new("queue-1to1-256KiB", "queue 1→1, 256 KiB", "msg/s", true, 1_000, 100, 262144),
        new("queue-1to1-1MiB", "queue 1→1, 1 MiB", "msg/s", true, 300, 30, 1 << 20),
        // Producer/consumer scaling: N producer and N consumer processes on one queue (chart queue-process-scaling.png).
        new("queue-1p1c-8B", "queue 1 prod → 1 cons proc, 8 B", "msg/s", true, 200_000, 20_000, 8),
        new("queue-2to2-8B", "queue 2→2, 8 B", "msg/s", true, 200_000, 20_000, 8),
        new("queue-4to4-8B", "queue 4→4, 8 B", "msg/s", true, 200_000, 20_000, 8),
        new("queue-8to8-8B", "queue 8→8, 8 B", "msg/s", true, 200_000, 20_000, 8),
        new("pipe-pingpong-median", "pipe ping-pong median", "µs", false, 20_000, 2_000, 8),
        new("pipe-pingpong-p99", "pipe ping-pong p99", "µs", false, 20_000, 2_000, 8),
        new("pipe-oneway-64B", "pipe one-way, 64 B", "MB/s", true, 200_000, 20_000, 64),
        new("pipe-oneway-4KiB", "pipe one-way, 4 KiB", "MB/s", true, 50_000, 5_000, 4096),
        new("pipe-oneway-1MiB", "pipe one-way, 1 MiB", "MB/s", true, 200, 20, 1 << 20),
        new("value-incr-lock", "value += 1 under lock, 2 procs", "ops/s", true, 100_000, 10_000),
        new("value-incr-atomic", "value += 1 atomic (no lock), 2 procs", "ops/s", true, 1_000_000, 100_000),
        new("array-64MiB", "64 MiB array write+read", "GB/s", true, 1, 1, 64 << 20),
        new("lock-contention", "lock contention, 2 procs", "ops/s", true, 100_000, 10_000),
        new("event-pingpong", "event ping-pong median", "µs", false, 5_000, 500),
        new("async-queue-rtt", "async queue round trip median", "µs", false, 20_000, 2_000, 8),
        new("async-pipe-rtt", "async pipe round trip median", "µs", false, 20_000, 2_000, 8),
        new("process-start-join", "process start+join (spawn)", "ms", false, 10, 3),
        new("process-start-join-fork", "process start+join (fork)", "ms", false, 10, 3),
        new("process-start-join-standby", "start+join, standby pool of n / py forkserver", "ms", false, 10, 3),
        new("process-start-join-standby-spaced", "start+join spaced, standby / py forkserver", "ms", false, 10, 3),
        new("pool-first-result", "pool start to first result", "ms", false, 3, 1),
        new("pool-map-chunk1", "pool map, trivial, chunk 1", "task/s", true, 20_000, 2_000),
        new("pool-map-cpu-speedup", "pool map CPU-bound speedup (25 ms tasks)", "x", true, 16, 8),
        // Pool scaling: 2 ms CPU tasks (calibrated per language), chunk 1, against the worker count.
        new("pool-map-w1", "pool map 2 ms tasks, 1 worker", "task/s", true, 400, 100),
        new("pool-map-w2", "pool map 2 ms tasks, 2 workers", "task/s", true, 400, 100),
        new("pool-map-w4", "pool map 2 ms tasks, 4 workers", "task/s", true, 400, 100),
        new("pool-map-w8", "pool map 2 ms tasks, 8 workers", "task/s", true, 400, 100),
        new("apply-async-rtt", "apply_async round trip", "µs", false, 5_000, 500),
        new("manager-dict-ops", "manager dict set/get", "ops/s", true, 20_000, 2_000),
        new("net-tcp-rtt", "Listener/Client TCP round trip median", "µs", false, 20_000, 2_000, 8),
        new("net-unix-rtt", "Listener/Client Unix socket round trip median", "µs", false, 20_000, 2_000, 8),
        new("net-tcp-oneway-1MiB", "Listener/Client TCP one-way, 1 MiB", "MB/s", true, 200, 20, 1 << 20),
        new("manager-remote-dict-ops", "remote manager dict set/get, TCP", "ops/s", true, 20_000, 2_000),
    ];

    public static WorkloadSpec? Get(string name) => All.FirstOrDefault(w => w.Name == name);
}
