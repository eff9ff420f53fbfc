using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>IpcProcess.Start of an empty target, then Join: ms per process.</summary>
internal sealed class ProcessStartJoin : IWorkload
{
    public string Name => "process-start-join";

    public Measurement Run(Settings settings)
    {
        int count = settings.CountOf(Name);
        return Sampler.Repeat(settings, () =>
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                using var p = IpcProcess.Start(Nothing);
                VerificationException.Check(p.Join(TimeSpan.FromSeconds(30)), "child did not exit");
                VerificationException.Check(p.ExitCode == 0, $"exit code {p.ExitCode}");
            }
            return Sampler.Seconds(t0, Stopwatch.GetTimestamp()) / count * 1e3;
        });
    }

    private static void Nothing() { }
}
