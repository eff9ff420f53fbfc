using System.Diagnostics;

namespace NativeIpc.Tests.Cluster;

/// <summary>Runs the ClusterApp under MPICH's <c>mpiexec</c> on this host and captures what every rank printed.</summary>
public static class MpiJob
{
    /// <summary>MPICH's launcher (Debian names it so; plain <c>mpiexec</c> may be Open MPI's).</summary>
    public static string? Launcher { get; } = FindLauncher();

    /// <summary>The ClusterApp apphost, built alongside the tests in the same configuration.</summary>
    public static string App
    {
        get
        {
            string config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(TestPaths.RepoRoot, "tests", "NativeIpc.ClusterApp", "bin", config, "net10.0", "NativeIpc.ClusterApp");
        }
    }

    /// <summary>MPI's transports between ranks on one host.</summary>
    public enum Transport
    {
        /// <summary>MPICH's default: shared memory between ranks of one host.</summary>
        SharedMemory,

        /// <summary>Shared memory off in MPICH (<c>MPIR_CVAR_NOLOCAL</c>) and in UCX (<c>UCX_TLS=tcp</c>): every message
        /// crosses TCP, as between hosts.</summary>
        TcpOnly,
    }

    /// <summary>Starts <c>mpiexec -n <paramref name="ranks"/> ClusterApp <paramref name="args"/></c>; the caller tracks it.</summary>
    public static System.Diagnostics.Process Start(int ranks, Transport transport, params string[] args)
        => Start(ranks, transport, [], args);

    /// <summary>Like <see cref="Start(int, Transport, string[])"/>, with variables set in every rank's environment.</summary>
    public static System.Diagnostics.Process Start(int ranks, Transport transport, (string Name, string Value)[] environment, params string[] args)
    {
        var psi = new ProcessStartInfo(Launcher ?? throw new InvalidOperationException("MPICH is not installed"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-n");
        psi.ArgumentList.Add(ranks.ToString());
        if (transport == Transport.TcpOnly)
        {
            foreach (var (k, v) in new[] { ("MPIR_CVAR_NOLOCAL", "1"), ("UCX_TLS", "tcp") })
            {
                psi.ArgumentList.Add("-genv");
                psi.ArgumentList.Add(k);
                psi.ArgumentList.Add(v);
            }
        }
        foreach (var (k, v) in environment)
        {
            psi.ArgumentList.Add("-genv");
            psi.ArgumentList.Add(k);
            psi.ArgumentList.Add(v);
        }
        psi.ArgumentList.Add(App);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["UCX_WARN_UNUSED_ENV_VARS"] = "n";
        return System.Diagnostics.Process.Start(psi)!;
    }

    /// <summary>Waits for the job and returns its exit code and everything it printed; null if it did not end in time.</summary>
    public static (int ExitCode, string Output)? Finish(System.Diagnostics.Process p, TimeSpan timeout)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) return null;
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? FindLauncher()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "mpiexec.mpich");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
