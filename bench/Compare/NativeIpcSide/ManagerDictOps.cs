using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>manager-dict-ops: through an IpcManager dict, n sets <c>d[i % 100] = i</c>, then n gets; values checked.
/// ops/s counts both (2n), as compare.py does.</summary>
internal sealed class ManagerDictOps : IWorkload
{
    public string Name => "manager-dict-ops";

    public Measurement Run(Settings settings)
    {
        int n = settings.CountOf(Name);
        using var manager = Multiprocessing.Manager();
        using var d = manager.Dict<int, int>();
        return SetThenGet(settings, d, n);
    }

    /// <summary>The timed part, shared with the remote-manager row: n sets <c>d[i % 100] = i</c>, then n gets.</summary>
    internal static Measurement SetThenGet(Settings settings, IpcDict<int, int> d, int n)
    {
        long expected = 0;
        var last = new Dictionary<int, int>();
        for (int i = 0; i < n; i++) last[i % 100] = i;
        for (int i = 0; i < n; i++) expected += last[i % 100];
        return Sampler.Repeat(settings, () =>
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++) d[i % 100] = i;
            long sum = 0;
            for (int i = 0; i < n; i++) sum += d[i % 100];
            double seconds = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
            VerificationException.Check(sum == expected, "wrong values read back");
            return 2.0 * n / seconds;
        });
    }
}
