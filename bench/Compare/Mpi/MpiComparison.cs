using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using NativeIpc.Compare.Core;
using OsProcess = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;

namespace NativeIpc.Compare.Mpi;

/// <summary>The MPI rows (<c>Compare --mpi</c>): NativeIpc's <see cref="ClusterPool"/> under MPICH's <c>mpiexec -n 3</c>
/// against <c>mpi4py.futures.MPIPoolExecutor</c> under the MPI its mpi4py was built with (Debian: Open MPI), same ranks,
/// same counts, on this host. Rows: trivial map at chunk 1 and at Python's default chunk size (tasks/s), and the
/// speedup of a CPU-bound map of equal tasks over running them serially on rank 0 (ideal: the 2 workers). Either side
/// missing (no MPICH, no mpi4py) is reported as skipped with the reason, never as a figure.</summary>
internal static class MpiComparison
{
    private const int Ranks = 3;

    private sealed record Row(string Name, string Title, string Unit, int FullCount, int QuickCount);

    private static readonly Row[] Rows =
    [
        new("mpi-map-chunk1", "MPI pool map, trivial, chunk 1", "task/s", 20_000, 5_000),
        new("mpi-map-auto", "MPI pool map, trivial, default chunk", "task/s", 200_000, 50_000),
        new("mpi-cpu-speedup", "MPI pool map CPU-bound speedup (2 workers)", "x", 8, 4),
    ];

    /// <summary>Loop iterations per CPU task: about 0.1 s on each side (Python's loop is ~100× slower).</summary>
    private const int DotNetIterations = 100_000_000, PythonIterations = 1_000_000;

    public static int Run(Settings settings)
    {
        int Count(Row r) => settings.Quick ? r.QuickCount : r.FullCount;
        var rows = Rows.Where(r => settings.Only.Count == 0 || settings.Selects(r.Name)).ToArray();
        string[] counts = [settings.Repeats.ToString(CultureInfo.InvariantCulture),
            .. Rows.Select(r => Count(r).ToString(CultureInfo.InvariantCulture))];
        var (ours, oursNote) = RunClusterPool(counts);
        var (theirs, theirsNote) = RunMpi4py(settings, counts);
        Console.WriteLine($"MPI rows: {Ranks} ranks on this host (rank 0 + {Ranks - 1} workers), {Environment.ProcessorCount} CPUs; median (min–max) of {settings.Repeats} runs");
        Console.WriteLine($"  ClusterPool: {oursNote}");
        Console.WriteLine($"  mpi4py:      {theirsNote}");
        Console.WriteLine($"{"row",-44} {"mpi4py.futures",-26} {"NativeIpc ClusterPool",-26} NIPC vs Py");
        foreach (var r in rows)
        {
            var py = theirs?.GetValueOrDefault(r.Name);
            var ni = ours?.GetValueOrDefault(r.Name);
            string ratio = py is { HasValue: true } && ni is { HasValue: true } ? $"{ni.Median / py.Median:F1}×" : "—";
            Console.WriteLine($"{r.Title,-44} {Cell(py, r.Unit),-26} {Cell(ni, r.Unit),-26} {ratio}");
        }
        Console.WriteLine($"CPU tasks: {DotNetIterations:N0} loop iterations in .NET, {PythonIterations:N0} in Python (about 0.1 s each).");
        return 0;
    }

    private static string Cell(Measurement? m, string unit)
        => m is { HasValue: true } ? $"{m.Median:G4} ({m.Min:G3}–{m.Max:G3}) {unit}" : "skipped";

    private static (Dictionary<string, Measurement>?, string) RunClusterPool(string[] counts)
    {
        if (Which("mpiexec.mpich") is not { } mpiexec) return (null, "skipped: MPICH's mpiexec.mpich not found (apt-get install mpich)");
        // Every rank is this program: rank 0 runs ClusterRanks, the others serve it.
        var self = Environment.ProcessPath!;
        var args = new List<string> { "-n", Ranks.ToString(CultureInfo.InvariantCulture) };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.AddRange([self, Assembly.GetEntryAssembly()!.Location]);
        else args.Add(self);
        args.Add(ClusterRanks.Flag);
        args.AddRange(counts[..4]);
        args.Add(DotNetIterations.ToString(CultureInfo.InvariantCulture));
        return Launch(mpiexec, args, "MPICH");
    }

    private static (Dictionary<string, Measurement>?, string) RunMpi4py(Settings settings, string[] counts)
    {
        string[] candidates = [Environment.GetEnvironmentVariable("COMPARE_PYTHON") ?? "", "python3", "/usr/bin/python3"];
        string? python = null, library = null;
        foreach (var c in candidates.Where(c => c.Length > 0))
        {
            var (code, output) = Capture(c, ["-c", "from mpi4py import MPI; print(MPI.Get_library_version().splitlines()[0])"], TimeSpan.FromSeconds(60));
            if (code == 0) { python = c; library = output.Trim(); break; }
        }
        if (python is null) return (null, "skipped: no python3 with mpi4py (apt-get install python3-mpi4py)");
        bool openMpi = library!.Contains("Open MPI", StringComparison.Ordinal);
        string? mpiexec = Which(openMpi ? "mpiexec.openmpi" : "mpiexec.mpich") ?? Which("mpiexec");
        if (mpiexec is null) return (null, $"skipped: mpi4py uses {library}, whose mpiexec was not found");
        var args = new List<string>();
        if (openMpi) args.AddRange(["--oversubscribe", "--allow-run-as-root"]);
        args.AddRange(["-n", Ranks.ToString(CultureInfo.InvariantCulture), python, "-m", "mpi4py.futures",
            Path.Combine(AppContext.BaseDirectory, "python", "mpi_pool.py"),
            "--repeats", counts[0], "--chunk1", counts[1], "--auto", counts[2], "--cpu-tasks", counts[3],
            "--cpu-iters", PythonIterations.ToString(CultureInfo.InvariantCulture)]);
        return Launch(mpiexec, args, library);
    }

    private static (Dictionary<string, Measurement>?, string) Launch(string program, List<string> args, string what)
    {
        var (code, output) = Capture(program, args, TimeSpan.FromMinutes(10));
        var results = new Dictionary<string, Measurement>();
        string workers = "?";
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 3 && parts[0] == "RESULT")
                results[parts[1]] = Measurement.Of(parts[2..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            else if (parts.Length == 2 && parts[0] == "WORKERS") workers = parts[1];
        }
        if (code != 0 || results.Count == 0)
        {
            string tail = string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));
            return (null, $"error (exit {code}): {tail}");
        }
        return (results, $"{what}, {workers} workers");
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
