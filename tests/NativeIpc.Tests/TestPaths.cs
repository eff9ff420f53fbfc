namespace NativeIpc.Tests;

/// <summary>Locations of things the tests start or write.</summary>
internal static class TestPaths
{
    /// <summary>The repository root (the folder holding NativeIpc.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The TestApp apphost, built alongside the tests in the same configuration.</summary>
    public static string TestApp
    {
        get
        {
            string config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(RepoRoot, "tests", "NativeIpc.TestApp", "bin", config, "net10.0", "NativeIpc.TestApp");
        }
    }

    /// <summary>A fresh temp file path (not created).</summary>
    public static string TempFile() => Path.Combine(Path.GetTempPath(), "nipc-test-" + Guid.NewGuid().ToString("N"));

    private static string FindRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "NativeIpc.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("NativeIpc.sln not found above " + AppContext.BaseDirectory);
    }
}
