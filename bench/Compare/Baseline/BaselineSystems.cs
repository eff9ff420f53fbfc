using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Baseline;

/// <summary>The .NET baseline columns: what .NET offers without NativeIpc, for the queue and pipe rows.</summary>
internal static class BaselineSystems
{
    public static ComparedSystem Create(ITransport transport)
    {
        IWorkload[] rows = Rows(transport);
        // A transport this machine lacks (Unix sockets under Wine) keeps its rows, each saying why it has no figure.
        if (transport.Unavailable is { } why) rows = rows.Select(r => (IWorkload)new NotApplicable(r.Name, why)).ToArray();
        return new(transport.Name, rows, missingStatus: "n/a");
    }

    private static IWorkload[] Rows(ITransport transport) =>
    [
        new StreamWorkload(transport, "queue-1to1-8B", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "queue-1to1-64B", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "queue-1to1-4KiB", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "queue-1to1-64KiB", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "queue-1to1-256B", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "queue-1to1-1KiB", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "queue-1to1-16KiB", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "queue-1to1-256KiB", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "queue-1to1-1MiB", StreamWorkload.Kind.Queue),
        new StreamWorkload(transport, "pipe-pingpong-median", StreamWorkload.Kind.PingPongMedian),
        new StreamWorkload(transport, "pipe-pingpong-p99", StreamWorkload.Kind.PingPongP99),
        new StreamWorkload(transport, "pipe-oneway-64B", StreamWorkload.Kind.OneWay),
        new StreamWorkload(transport, "pipe-oneway-4KiB", StreamWorkload.Kind.OneWay),
        new StreamWorkload(transport, "pipe-oneway-1MiB", StreamWorkload.Kind.OneWay),
    ];

    /// <summary>The shared-memory rows with a MemoryMappedFile and a named Mutex.</summary>
    public static ComparedSystem CreateMappedFile() => new(".NET mmap+Mutex",
    [
        new MappedFileWorkload("value-incr-lock"),
        new MappedFileWorkload("value-incr-atomic"),
        new MappedFileWorkload("array-64MiB"),
        new MappedFileWorkload("lock-contention"),
    ], missingStatus: "n/a");
}
