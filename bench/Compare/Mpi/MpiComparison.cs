using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using NativeIpc.Compare.Core;
using OsProcess = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;

namespace NativeIpc.Compare.Mpi;

/// <summary>The MPI rows (<c>Compare --mpi</c>): NativeIpc's <see cref="ClusterPool"/> under MPICH's <c>mpiexec -n 3</c>
/// against <c>mpi4py.futures.MPIPoolExecutor</c> under the MPI its mpi4py was built with (Debian: Open MPI), same ranks,
/// same counts, on this host. Rows: trivial map at chunk 1 and at ClusterPool's default chunk size (Python Pool's rule;
/// mpi4py is given the same size) in tasks/s, and the speedup of a CPU-bound map of equal tasks (each calibrated to
/// ~25 ms in its own language, the calibration printed) over running them serially on rank 0 (ideal: the 2 workers).
/// The load average is printed: the figures mean little on a busy machine. Either side missing (no MPICH, no mpi4py)
/// is reported as skipped with the reason, never as a figure; a side that fails makes the exit code 1.</summary>
internal static class MpiComparison
{
    private const int Ranks = 3;

    private sealed record Row(string Name, string Title, string Unit, int FullCount, int QuickCount);

    private static readonly Row[] Rows =
    [
        new("mpi-map-chunk1", "map, trivial task, chunk 1", "task/s", 20_000, 5_000),
        new("mpi-map-auto", "map, trivial task, default chunk", "task/s", 200_000, 50_000),
        new("mpi-cpu-speedup", "map, CPU-bound tasks: speedup", "×", 16, 8),
    ];

    /// <summary>One side's outcome: its rows, or why there are none, and what it printed besides.</summary>
    private sealed record Side(Dictionary<string, Measurement>? Results, string Note, List<string> Calibration, Dictionary<string, string> Chunks);

    public static int Run(Settings settings)
    {
        int Count(Row r) => settings.Quick ? r.QuickCount : r.FullCount;
        var rows = Rows.Where(r => settings.Only.Count == 0 || settings.Selects(r.Name)).ToArray();
        string[] counts = [settings.Repeats.ToString(CultureInfo.InvariantCulture),
            .. Rows.Select(r => Count(r).ToString(CultureInfo.InvariantCulture))];
        string loadBefore = LoadAverage();
        Console.Error.WriteLine("MPI rows: NativeIpc ClusterPool under MPICH ...");
        var ours = RunClusterPool(counts);
        Console.Error.WriteLine("MPI rows: mpi4py.futures ...");
        var theirs = RunMpi4py(counts);
        string loadAfter = LoadAverage();

        Console.WriteLine($"MPI rows: {Ranks} ranks on this host (rank 0 + {Ranks - 1} workers), {Environment.ProcessorCount} CPUs; " +
            $"median (min–max) of {settings.Repeats} runs after a warm-up run");
        Console.WriteLine($"  load average (1, 5, 15 min): {loadBefore} before, {loadAfter} after");
        Console.WriteLine($"  mpi4py.futures:        {theirs.Note}");
        Console.WriteLine($"  NativeIpc ClusterPool: {ours.Note}");
        Console.WriteLine($"{"row",-34} {"n",8} {"mpi4py.futures",-32} {"NativeIpc ClusterPool",-32} NIPC vs Py");
        foreach (var r in rows)
        {
            var py = theirs.Results?.GetValueOrDefault(r.Name);
            var ni = ours.Results?.GetValueOrDefault(r.Name);
            string ratio = py is { HasValue: true } && ni is { HasValue: true } ? $"{ni.Median / py.Median:G3}×" : "—";
            Console.WriteLine($"{r.Title,-34} {Count(r),8} {Cell(py, r.Unit),-32} {Cell(ni, r.Unit),-32} {ratio}");
        }
        if (rows.Any(r => r.Name == "mpi-map-auto"))
        {
            string py = theirs.Chunks.GetValueOrDefault("mpi-map-auto", "?"), ni = ours.Chunks.GetValueOrDefault("mpi-map-auto", "?");
            Console.WriteLine($"default chunk: ClusterPool's default, Python Pool's rule ceil(n / (4 × workers)) = {ni} items; mpi4py is " +
                $"given the same chunksize ({py}) explicitly, as MPIPoolExecutor.map's own default is 1 (the chunk-1 row).");
        }
        if (rows.Any(r => r.Name == "mpi-cpu-speedup"))
        {
            int workers = Ranks - 1;
            Console.WriteLine($"speedup: serial time of the tasks on rank 0 ÷ time of map(chunk 1) over the {workers} workers; ideal {workers}×. " +
                $"Of ideal: mpi4py {OfIdeal(theirs, workers)}, ClusterPool {OfIdeal(ours, workers)}.");
        }
        // Both sides' calibrations (the serial baseline of the speedup row) and per-map latencies.
        foreach (var line in theirs.Calibration.Concat(ours.Calibration)) Console.WriteLine(line);
        return ours.Note.StartsWith("error", StringComparison.Ordinal) || theirs.Note.StartsWith("error", StringComparison.Ordinal) ? 1 : 0;
    }

    private static string OfIdeal(Side side, int workers)
        => side.Results?.GetValueOrDefault("mpi-cpu-speedup") is { HasValue: true } m ? $"{m.Median / workers:P0}" : "—";

    private static string Cell(Measurement? m, string unit)
        => m is { HasValue: true } ? $"{Figure(m.Median)} ({Figure(m.Min)}–{Figure(m.Max)}) {unit}" : "skipped";

    private static string Figure(double v)
        => v >= 1e6 ? $"{v / 1e6:0.##}M" : v >= 1e4 ? $"{v / 1e3:0.#}k" : v.ToString(v >= 100 ? "F0" : "0.##", CultureInfo.InvariantCulture);

    /// <summary>/proc/loadavg's three averages (the machine may be shared: say how busy it was).</summary>
    private static string LoadAverage()
    {
        try { return string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static Side RunClusterPool(string[] counts)
    {
        if (Which("mpiexec.mpich") is not { } mpiexec) return Skipped("skipped: MPICH's mpiexec.mpich not found (apt-get install mpich)");
        // Every rank is this program: rank 0 runs ClusterRanks, the others serve it.
        var self = Environment.ProcessPath!;
        var args = new List<string> { "-n", Ranks.ToString(CultureInfo.InvariantCulture) };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.AddRange([self, Assembly.GetEntryAssembly()!.Location]);
        else args.Add(self);
        args.Add(ClusterRanks.Flag);
        args.AddRange(counts);
        return Launch(mpiexec, args, "MPICH");
    }

    private static Side RunMpi4py(string[] counts)
    {
        string[] candidates = [Environment.GetEnvironmentVariable("COMPARE_PYTHON") ?? "", "python3", "/usr/bin/python3"];
        string? python = null, library = null;
        foreach (var c in candidates.Where(c => c.Length > 0))
        {
            var (code, output) = Capture(c, ["-c", "from mpi4py import MPI; print(MPI.Get_library_version().splitlines()[0])"], TimeSpan.FromSeconds(60));
            if (code == 0) { python = c; library = output.Trim(); break; }
        }
        if (python is null) return Skipped("skipped: no python3 with mpi4py (apt-get install python3-mpi4py)");
        bool openMpi = library!.Contains("Open MPI", StringComparison.Ordinal);
        string? mpiexec = Which(openMpi ? "mpiexec.openmpi" : "mpiexec.mpich") ?? Which("mpiexec");
        if (mpiexec is null) return Skipped($"skipped: mpi4py uses {library}, whose mpiexec was not found");
        var args = new List<string>();
        if (openMpi) args.AddRange(["--oversubscribe", "--allow-run-as-root"]);
        args.AddRange(["-n", Ranks.ToString(CultureInfo.InvariantCulture), python, "-m", "mpi4py.futures",
            Path.Combine(AppContext.BaseDirectory, "python", "mpi_pool.py"),
            "--repeats", counts[0], "--chunk1", counts[1], "--auto", counts[2], "--cpu-tasks", counts[3]]);
        string version = Capture(python, ["-c", "import mpi4py, sys; print(mpi4py.__version__, sys.version.split()[0])"], TimeSpan.FromSeconds(60)).Output.Trim();
        string[] v = version.Split(' ');
        string what = v.Length == 2 ? $"mpi4py {v[0]} on Python {v[1]}, {library.Split(',')[0]}" : library;
        return Launch(mpiexec, args, what);
    }

    private static Side Skipped(string why) => new(null, why, [], []);

    private static Side Launch(string program, List<string> args, string what)
    {
        var (code, output) = Capture(program, args, TimeSpan.FromMinutes(10));
        var results = new Dictionary<string, Measurement>();
        var calibration = new List<string>();
        var chunks = new Dictionary<string, string>();
        string workers = "?";
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 3 && parts[0] == "RESULT")
                results[parts[1]] = Measurement.Of(parts[2..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            else if (parts.Length == 2 && parts[0] == "WORKERS") workers = parts[1];
            else if (parts.Length > 1 && parts[0] == "LIBRARY") what = string.Join(' ', parts[1..]);
            else if (parts.Length == 3 && parts[0] == "CHUNK") chunks[parts[1]] = parts[2];
            else if (line.StartsWith("calibration:", StringComparison.Ordinal) || line.StartsWith("map:", StringComparison.Ordinal))
                calibration.Add(line.Trim());
        }
        if (code != 0 || results.Count == 0)
        {
            string tail = string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));
            return new(null, $"error (exit {code}): {tail}", calibration, chunks);
        }
        return new(results, $"{what}; {workers} workers", calibration, chunks);
    }

    private static (int Code, string Output) Capture(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        OsProcess? p;
        try { p = OsProcess.Start(psi); }
        catch (Win32Exception e) { return (-1, e.Message); }
        if (p is null) return (-1, "did not start");
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                return (-1, $"timed out after {timeout.TotalMinutes} min");
            }
            p.WaitForExit();
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
    }

    private static string? Which(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
