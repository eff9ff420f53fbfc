using Microsoft.Extensions.Logging;

namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Where NativeIpc logs what it cannot throw to a caller: a pool worker that failed to start or died, a
    /// pool that gave up, a callback or progress report that threw. Null (the default): nothing is logged, and nothing
    /// is written to the console. Set it once at start-up, e.g. from an <c>IHost</c>'s services.</summary>
    /// <remarks>A child process logs through the factory it sets itself; children do not inherit the parent's.</remarks>
    public static ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The name of NativeIpc's <see cref="System.Diagnostics.Metrics.Meter"/>: "NativeIpc". Its instruments:
    /// <c>nativeipc.queue.depth</c>, <c>.puts</c>, <c>.gets</c>, <c>.bytes</c> (per queue, pipe and pool queue this
    /// process holds, from the counts in the queue's shared memory), <c>nativeipc.process.starts</c>, <c>.exits</c>,
    /// <c>.start_failures</c>, <c>nativeipc.pool.pending</c>, <c>.running</c>, <c>.workers_lost</c> and
    /// <c>nativeipc.lock.abandoned</c>. Listen with <c>dotnet-counters monitor --counters NativeIpc</c>, OpenTelemetry's
    /// <c>AddMeter("NativeIpc")</c> or a <see cref="System.Diagnostics.Metrics.MeterListener"/>.</summary>
    public const string MeterName = "NativeIpc";
}
