using System.Runtime.InteropServices;
using NativeIpc.Compare.Baseline;
using NativeIpc.Compare.Core;
using NativeIpc.Compare.NativeIpcSide;
using NativeIpc.Compare.Python;
using NativeIpc.Compare.Reference;
using NativeIpc.Compare.Report;

namespace NativeIpc.Compare;

/// <summary>Runs the selected workloads on every system, one at a time (they would disturb each other),
/// and writes the table, results.json, results.md and the charts. The entry point of this app and of the demo's
/// "throughput" section; an app that calls it must first pass its own arguments to <see cref="IsChild"/>, as the
/// .NET anonymous-pipe baseline starts its children as the running executable.</summary>
public static class CompareRunner
{
    /// <summary>True when this process was started as a child of the anonymous-pipe baseline: then the app's Main
    /// must return <see cref="Run"/>(<paramref name="args"/>) and do nothing else.</summary>
    public static bool IsChild(string[] args) => args.Length > 0 && args[0] == AnonymousPipeTransport.ChildFlag;

    /// <summary>The command line of README.md: <c>[--quick] [--only a,b] [--exact] [--repeats N] [--out DIR]</c>.
    /// Prints the table, writes the reports; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (IsChild(args)) return AnonymousPipeTransport.ChildMain(args[1..]);
        if (args.Length > 0 && args[0] == Mpi.ClusterRanks.Flag) return Mpi.ClusterRanks.RunRanks(args[1..]);
        bool mpi = args.Contains("--mpi");
        args = args.Where(a => a != "--mpi").ToArray();
        if (!TryParse(args, out var settings, out string? error))
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine("usage: Compare [--quick] [--only queue,pipe,…] [--exact] [--repeats N] [--out DIR] [--mpi]");
            return 2;
        }
        if (mpi) return Mpi.MpiComparison.Run(settings); // the MPI rows run on their own, under mpiexec
        var workloads = WorkloadCatalog.All.Where(w => settings.Selects(w.Name)).ToList();
        if (workloads.Count == 0) { Console.Error.WriteLine("--only matched no workload."); return 2; }
        // The table has →, µ and –: a Windows console (and Wine's) writes the OEM code page unless told otherwise.
        if (OperatingSystem.IsWindows())
            try { Console.OutputEncoding = System.Text.Encoding.UTF8; }
            catch (IOException) { } // no console to set (a service): the table is still written, as '?'
        var progress = new Progress();

        progress.Show("physical reference");
        var memcpy = PhysicalLimits.MemcpyGigabytesPerSecond(settings);
        var cacheLine = PhysicalLimits.CacheLineRoundTripNanoseconds(settings);

        var systems = new[] { BaselineSystems.Create(new AnonymousPipeTransport()), BaselineSystems.Create(new UnixSocketTransport()),
            BaselineSystems.CreateMappedFile(), NativeIpcSystem.Create() };
        var results = workloads.ToDictionary(w => w.Name, _ => new Dictionary<string, Measurement>());
        int step = 0, steps = workloads.Sum(w => systems.Count(s => s.Implements(w.Name)));
        foreach (var w in workloads)
            foreach (var s in systems)
            {
                if (s.Implements(w.Name)) progress.Show($"[{++step}/{steps}] {w.Name} — {s.Name}");
                results[w.Name][s.Name] = s.Run(w.Name, settings);
            }

        var (pythonVersion, python) = PythonRunner.Run(settings, workloads, line => progress.Show(line));
        foreach (var w in workloads) results[w.Name][RunResults.Python] = python[w.Name];
        progress.Done();

        var columns = new List<string> { RunResults.Python };
        columns.AddRange(systems.Select(s => s.Name));
        var run = new RunResults(DateTimeOffset.UtcNow, settings,
            $"{Environment.ProcessorCount} CPUs, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {PhysicalLimits.SharedMemoryHugePages()}",
            pythonVersion, memcpy, cacheLine, columns,
            workloads.Select(w => new ResultRow(w, results[w.Name])).ToList());

        Console.WriteLine(ConsoleTable.Render(run));
        foreach (var note in Calibration.Notes) Console.WriteLine(note);
        Directory.CreateDirectory(settings.ResultsDirectory);
        File.WriteAllText(Path.Combine(settings.ResultsDirectory, "scaling.csv"), ScalingReport.Csv(run));
        Console.WriteLine(ScalingReport.Text(run));
        File.WriteAllText(Path.Combine(settings.ResultsDirectory, "results.json"), JsonReport.Render(run));
        var (charts, chartNote) = Charts.Write(run, settings.ResultsDirectory);
        File.WriteAllText(Path.Combine(settings.ResultsDirectory, "results.md"), MarkdownReport.Render(run, charts, chartNote));
        Console.WriteLine($"Wrote results.json, results.md{(charts.Count > 0 ? $" and {charts.Count} charts" : "")} to {settings.ResultsDirectory}");
        if (chartNote is not null) Console.WriteLine("Charts " + chartNote);
        return 0;
    }

    private static bool TryParse(string[] args, out Settings settings, out string? error)
    {
        bool quick = false, exact = false;
        int repeats = 0;
        var only = new List<string>();
        string? output = null;
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--exact": exact = true; break;
                case "--only" when i + 1 < args.Length: only.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--repeats" when i + 1 < args.Length && int.TryParse(args[i + 1], out repeats) && repeats > 0: i++; break;
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                default: error = $"Unknown or incomplete argument '{args[i]}'."; break;
            }
        }
        settings = new Settings(quick, repeats > 0 ? repeats : quick ? 3 : 5, only, output ?? DefaultResultsDirectory(), exact);
        return error is null;
    }

    /// <summary>bench/Compare/results of the repository this binary was built from (git-ignored), else ./results.</summary>
    private static string DefaultResultsDirectory()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "bench", "Compare", "Compare.csproj")))
                return Path.Combine(d.FullName, "bench", "Compare", "results");
        return Path.Combine(Environment.CurrentDirectory, "results");
    }
}
