using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>IpcProcess.Start of an empty target, then Join: ms per process.
/// process-start-join: spawn, n in a row. process-start-join-standby: the Standby start method with a pool of n warm
/// children (filled, untimed, before each run), n starts back to back. process-start-join-standby-spaced: the default
/// pool, each start timed alone after the pool is full again (untimed), as a program that starts a process now and then.</summary>
internal sealed class ProcessStartJoin(string name) : IWorkload
{
    public string Name => name;

    public Measurement Run(Settings settings)
    {
        int count = settings.CountOf(Name);
        if (name == "process-start-join") return Sampler.Repeat(settings, () => BackToBack(count));
        // Said in the cell, not an error: IpcStartMethod.Standby throws PlatformNotSupportedException outside Linux.
        if (!OperatingSystem.IsLinux()) return Measurement.Missing("n/a: the standby start method is Linux-only");
        bool spaced = name.EndsWith("-spaced", StringComparison.Ordinal);
        try
        {
            if (spaced) Multiprocessing.SetStartMethod(IpcStartMethod.Standby);
            else Multiprocessing.SetStartMethod(IpcStartMethod.Standby, count);
            return Sampler.Repeat(settings, () => spaced ? Spaced(count) : Ready() + BackToBack(count));
        }
        finally
        {
            Multiprocessing.SetStartMethod(IpcStartMethod.Spawn);
        }
    }

    private static double Ready()
    {
        VerificationException.Check(Multiprocessing.WaitForStandby(TimeSpan.FromSeconds(60)), "the standby pool did not fill");
        return 0;
    }

    private static double BackToBack(int count)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++) StartJoin();
        return Sampler.Seconds(t0, Stopwatch.GetTimestamp()) / count * 1e3;
    }

    private static double Spaced(int count)
    {
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            Ready();
            long t0 = Stopwatch.GetTimestamp();
            StartJoin();
            total += Sampler.Seconds(t0, Stopwatch.GetTimestamp());
        }
        return total / count * 1e3;
    }

    private static void StartJoin()
    {
        using var p = IpcProcess.Start(Nothing);
        VerificationException.Check(p.Join(TimeSpan.FromSeconds(30)), "child did not exit");
        VerificationException.Check(p.ExitCode == 0, $"exit code {p.ExitCode}");
    }

    private static void Nothing() { }
}
