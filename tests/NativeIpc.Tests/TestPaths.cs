namespace NativeIpc.Tests;

/// <summary>Locations of things the tests start or write.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The repository root (the folder holding NativeIpc.sln).</summary>
    public static string RepoRoot => s_root.Value;

    /// <summary>The executable suffix of this OS's programs.</summary>
    public static string ExeSuffix => OperatingSystem.IsWindows() ? ".exe" : "";

    /// <summary>The TestApp apphost: beside the tests when published together (the Windows leg), else built
    /// alongside the tests in the same configuration.</summary>
    public static string TestApp => Program("NativeIpc.TestApp");

    /// <summary>A helper program of this repository: beside the test assembly if published there, else in its own
    /// project's build output of the same configuration.</summary>
    public static string Program(string project)
    {
        // Only a whole program counts: the build copies a referenced project's apphost alone beside the tests.
        string beside = Path.Combine(AppContext.BaseDirectory, project + ExeSuffix);
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, project + ".dll"))) return beside;
        string config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        return Path.Combine(RepoRoot, "tests", project, "bin", config, "net10.0", project + ExeSuffix);
    }

    /// <summary>The start of every shared-memory name a test of this run chooses: <c>nipc-test-&lt;pid hex&gt;-</c>.
    /// Other test runs on the machine (other worktrees share /dev/shm) use other prefixes, so a leak check can tell
    /// their names from this run's.</summary>
    public static readonly string ShmNamePrefix = "nipc-test-" + Environment.ProcessId.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "-";

    /// <summary>A fresh shared-memory name of this run: <see cref="ShmNamePrefix"/>, <paramref name="kind"/>, random hex.</summary>
    public static string ShmName(string kind = "seg", int hexDigits = 12)
        => ShmNamePrefix + kind + "-" + Guid.NewGuid().ToString("N")[..hexDigits];

    /// <summary>A fresh temp file path (not created).</summary>
    public static string TempFile() => Path.Combine(Path.GetTempPath(), "nipc-test-" + Guid.NewGuid().ToString("N"));

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NativeIpc.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("NativeIpc.sln not found above " + AppContext.BaseDirectory);
    }
}
