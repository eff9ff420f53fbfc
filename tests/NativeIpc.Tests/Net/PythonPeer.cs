using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Net;

/// <summary>A python3 script from Net/python run as a separate process, its stdout read line by line.</summary>
internal sealed class PythonPeer
{
    private readonly BlockingCollection<string> _lines = [];
    private readonly System.Diagnostics.Process _process;

    private PythonPeer(System.Diagnostics.Process process) => _process = process;

    public System.Diagnostics.Process Process => _process;

    /// <summary>The python3 on PATH, or null (tests that need it are skipped, saying so).</summary>
    public static string? Python { get; } = Find();

    /// <summary>Skips the calling test with a clear reason when python3 is missing.</summary>
    public static void RequirePython()
    {
        if (Python is null) Assert.Ignore("python3 is not installed: the CPython interop tests need it (apt-get install python3).");
    }

    public static PythonPeer Start(string script, params string[] args)
    {
        RequirePython();
        var psi = new ProcessStartInfo(Python!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "tests", "NativeIpc.Tests", "Net", "python", script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = new System.Diagnostics.Process { StartInfo = psi };
        var peer = new PythonPeer(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) peer._lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) peer._lines.Add("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>The first line starting with <paramref name="prefix"/> (earlier lines are skipped); fails the test
    /// after <paramref name="timeout"/>, showing what the script printed.</summary>
    public string WaitForLine(string prefix, TimeSpan timeout)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_lines.TryTake(out var line, left))
            {
                Assert.Fail($"The python peer printed no '{prefix}' line within {timeout}. It printed:\n{string.Join("\n", seen)}");
                return "";
            }
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
            seen.Add(line);
        }
    }

    /// <summary>Waits for the script to exit and returns its exit code (fails the test on a timeout).</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) Assert.Fail($"The python peer did not exit within {timeout}.");
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "python.exe" : "python3");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
