using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Report;

/// <summary>Everything one run measured, in the order the table shows it.</summary>
internal sealed record RunResults(
    DateTimeOffset When,
    Settings Settings,
    string Machine,
    string? PythonVersion,
    Measurement MemcpyGigabytesPerSecond,
    Measurement CacheLineRoundTripNanoseconds,
    IReadOnlyList<string> Systems,
    IReadOnlyList<ResultRow> Rows)
{
    public const string Python = "Python mp";
    public const string NativeIpc = "NativeIpc";
    public static readonly string[] Baselines = [".NET anon pipe", ".NET UDS", ".NET mmap+Mutex"];
}
