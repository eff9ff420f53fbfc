using System.ComponentModel;
using System.Diagnostics;
using OsProcess = System.Diagnostics.Process;
using System.Text.Json;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Python;

/// <summary>Runs python/compare.py once for all selected workloads (with this run's counts and repeats) and reads
/// the JSON it prints. Without python3 every Python cell says so, and the rest of the comparison still runs.</summary>
internal static class PythonRunner
{
    public const string NotFound = "python3 not found";

    /// <summary>Windows (and Wine, whose prefix has no Python): the Python column is skipped, not tried with a Unix name.</summary>
    public const string NoWindowsPython = "n/a: no Windows Python";

    public static (string? Version, Dictionary<string, Measurement> Results) Run(Settings settings, IReadOnlyList<WorkloadSpec> workloads, Action<string> progress)
    {
        var results = new Dictionary<string, Measurement>();
        string script = Path.Combine(AppContext.BaseDirectory, "python", "compare.py");
        // COMPARE_PYTHON picks another interpreter (a venv, "python" on Windows); the table still calls it python3.
        string? interpreter = Environment.GetEnvironmentVariable("COMPARE_PYTHON") is { Length: > 0 } ip ? ip
            : OperatingSystem.IsWindows() ? FindWindowsPython() : "python3";
        if (interpreter is null)
        {
            Calibration.Note("Python column skipped: no Windows Python found (python.exe or py.exe on PATH, not the Store stub; or set COMPARE_PYTHON).");
            return (null, workloads.ToDictionary(w => w.Name, _ => Measurement.Missing(NoWindowsPython)));
        }
        var psi = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(interpreter).Equals("py", StringComparison.OrdinalIgnoreCase)) psi.ArgumentList.Add("-3");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--repeats");
        psi.ArgumentList.Add(settings.Repeats.ToString());
        psi.ArgumentList.Add("--names");
        psi.ArgumentList.Add(string.Join(",", workloads.Select(w => w.Name)));
        psi.ArgumentList.Add("--counts");
        psi.ArgumentList.Add(JsonSerializer.Serialize(workloads.ToDictionary(w => w.Name, w => settings.CountOf(w.Name))));
        OsProcess? p;
        try { p = OsProcess.Start(psi); }
        catch (Win32Exception) { p = null; }
        if (p is null) return (null, workloads.ToDictionary(w => w.Name, _ => Measurement.Missing(NotFound)));

        string lastError = "";
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lastError = e.Data;
            if (e.Data.StartsWith("[python", StringComparison.Ordinal)) progress(e.Data);
            if (e.Data.StartsWith("calibration:", StringComparison.Ordinal)) Calibration.Note(e.Data);
        };
        p.BeginErrorReadLine();
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        // A hung workload must not hang the comparison: a quick run takes ~1 min on an idle machine, a full one ~10.
        if (!p.WaitForExit(TimeSpan.FromMinutes(settings.Quick ? 6 : 40)))
        {
            p.Kill(entireProcessTree: true);
            return (null, workloads.ToDictionary(w => w.Name, _ => Measurement.Missing($"error: compare.py timed out (last progress: {lastError})")));
        }
        string stdout = stdoutTask.GetAwaiter().GetResult();
        if (p.ExitCode != 0 || stdout.Trim().Length == 0)
            return (null, workloads.ToDictionary(w => w.Name, _ => Measurement.Missing($"error: python exited {p.ExitCode}: {lastError}")));

        using var doc = JsonDocument.Parse(stdout);
        string version = doc.RootElement.GetProperty("python").GetString() ?? "?";
        var all = doc.RootElement.GetProperty("workloads");
        foreach (var w in workloads)
        {
            if (!all.TryGetProperty(w.Name, out var r)) { results[w.Name] = Measurement.Missing("not run by compare.py"); continue; }
            if (r.TryGetProperty("not_applicable", out var na)) { results[w.Name] = Measurement.Missing(na.GetString() ?? "n/a"); continue; }
            if (r.TryGetProperty("error", out var err)) { results[w.Name] = Measurement.Missing("error: " + err.GetString()); continue; }
            results[w.Name] = Measurement.Of(r.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }
        return (version, results);
    }

    /// <summary>python.exe, else the py.exe launcher, on PATH; null when neither is there. The Store's python.exe
    /// stub (WindowsApps) only opens the Store, so it does not count.</summary>
    private static string? FindWindowsPython()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(d => !d.Contains("WindowsApps", StringComparison.OrdinalIgnoreCase)).ToArray();
        foreach (string exe in new[] { "python.exe", "py.exe" })
            foreach (string d in dirs)
            {
                string candidate;
                try { candidate = Path.Combine(d.Trim('"'), exe); }
                catch (ArgumentException) { continue; }
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
