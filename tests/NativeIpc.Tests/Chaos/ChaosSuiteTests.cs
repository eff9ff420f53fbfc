using System.Text.RegularExpressions;
using NUnit.Framework;
using SysProcess = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;

namespace NativeIpc.Tests.Chaos;

/// <summary>Runs the chaos suite's short form (tests/NativeIpc.Chaos, about a minute) as a separate program: random
/// SIGKILLs across every primitive, then every invariant checked. It must exit 0 and print a summary with no hang,
/// no leak and no violation.</summary>
[Category("Chaos")]
public partial class ChaosSuiteTests : ChildProcessFixture
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(5);

    [Test]
    public void ShortForm_ExitsZero_WithCleanSummary()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("the chaos suite needs Linux");
        var psi = new ProcessStartInfo(ChaosApp) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--short");
        var app = Track(SysProcess.Start(psi)!);
        var stdout = app.StandardOutput.ReadToEndAsync();
        var stderr = app.StandardError.ReadToEndAsync();
        if (!app.WaitForExit(RunLimit))
            Assert.Fail($"the chaos suite did not finish within {RunLimit.TotalMinutes} min; output so far:\n{Partial(stdout)}");
        app.WaitForExit();
        string output = stdout.Result;
        TestContext.Out.WriteLine(output);
        var summary = Summary().Match(output);
        Assert.That(summary.Success, Is.True, $"no summary line; stdout:\n{output}\nstderr:\n{Tail(stderr.Result)}");
        Assert.Multiple(() =>
        {
            Assert.That(int.Parse(summary.Groups["kills"].Value), Is.GreaterThan(0), "the suite killed nothing");
            Assert.That(long.Parse(summary.Groups["items"].Value), Is.GreaterThan(0), "the suite checked no item");
            Assert.That(summary.Groups["hangs"].Value, Is.EqualTo("0"), output);
            Assert.That(summary.Groups["leaks"].Value, Is.EqualTo("0"), output);
            Assert.That(summary.Groups["violations"].Value, Is.EqualTo("0"), output);
            Assert.That(app.ExitCode, Is.Zero, $"stdout:\n{output}\nstderr:\n{Tail(stderr.Result)}");
        });
    }

    /// <summary>The chaos apphost, built with the tests (a project reference that does not reference its output).</summary>
    private static string ChaosApp => TestPaths.Program("NativeIpc.Chaos");

    [GeneratedRegex(@"^chaos: kills=(?<kills>\d+) items=(?<items>\d+) hangs=(?<hangs>\d+) leaks=(?<leaks>\d+) violations=(?<violations>\d+) seconds=\d+$", RegexOptions.Multiline)]
    private static partial Regex Summary();

    private static string Partial(Task<string> stdout) => stdout.IsCompleted ? stdout.Result : "(still running)";

    private static string Tail(string s) => s.Length <= 4000 ? s : "..." + s[^4000..];
}
