using System.Diagnostics;
using System.Runtime.InteropServices;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Reference;

/// <summary>What the machine can do at best, measured in this run so every figure can be read as a fraction of it:
/// one-process memcpy bandwidth (64 MiB, so from DRAM) and the round trip of a cache line between two threads.</summary>
internal static class PhysicalLimits
{
    /// <summary>Whether shared memory may use transparent huge pages here (Linux: /dev/shm's <c>huge=</c> mount option
    /// and <c>shmem_enabled</c>), which decides the array row: with 4 KiB pages a fresh process's first touch of 64 MiB
    /// sets 16,384 page-table entries (on a virtual machine ~100 ms), with 2 MiB pages 32. NativeIpc asks for them
    /// (MADV_HUGEPAGE) on segments of 2 MiB and more; the kernel grants them only where this says so.</summary>
    public static string SharedMemoryHugePages()
    {
        if (!OperatingSystem.IsLinux()) return "shared-memory huge pages: n/a";
        try
        {
            // The last /dev/shm line is the mount in force (an earlier one may be shadowed by a later mount).
            string mount = File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).LastOrDefault(f => f.Length > 3 && f[1] == "/dev/shm") is { } m
                ? m[3].Split(',').FirstOrDefault(o => o.StartsWith("huge=", StringComparison.Ordinal)) ?? "huge=never" : "no /dev/shm mount";
            string sys = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/shmem_enabled").Trim();
            return $"/dev/shm {mount} (shmem_enabled: {sys})";
        }
        catch (IOException e) { return "shared-memory huge pages: unknown (" + e.Message + ")"; }
        catch (UnauthorizedAccessException e) { return "shared-memory huge pages: unknown (" + e.Message + ")"; }
    }

    public static Measurement MemcpyGigabytesPerSecond(Settings settings)
    {
        const int size = 64 << 20;
        var from = GC.AllocateUninitializedArray<byte>(size);
        var to = GC.AllocateUninitializedArray<byte>(size);
        from.AsSpan().Fill(0x5A);
        return Sampler.Repeat(settings, () =>
        {
            long t0 = Stopwatch.GetTimestamp();
            from.AsSpan().CopyTo(to);
            double s = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
            VerificationException.Check(to[size - 1] == 0x5A && to[size / 2] == 0x5A, "copy incomplete");
            return size / s / 1e9;
        });
    }

    /// <summary>Two threads pass a counter back and forth through one cache line, spinning: ns per round trip.
    /// It is a floor, so each run reports its fastest batch of 100 trips: on a busy 2-vCPU machine a spinning
    /// thread often loses its CPU for a whole time slice, which says nothing about the hardware.</summary>
    public static Measurement CacheLineRoundTripNanoseconds(Settings settings)
    {
        // The fastest batch is the figure, so more trips only add time; 20 batches find one undisturbed batch.
        return Sampler.Repeat(settings, () => PingPong(20_000));
    }

    private static unsafe double PingPong(int maxTrips)
    {
        const int batch = 100;
        // 128 bytes aligned: the counter owns its cache line (and the adjacent-line prefetch pair).
        long* line = (long*)NativeMemory.AlignedAlloc(128, 128);
        bool echoRunning = false;
        try
        {
            *line = 0;
            var echo = new Thread(() =>
            {
                for (long i = 1; ; i += 2)
                {
                    long v;
                    for (int spins = 0; (v = Volatile.Read(ref *line)) != i; spins++)
                    {
                        if (v < 0) return; // the main thread is done
                        Spin(spins);
                    }
                    Volatile.Write(ref *line, i + 1);
                }
            }) { IsBackground = true };
            echo.Start();
            echoRunning = true;
            double best = double.MaxValue;
            long start = Stopwatch.GetTimestamp(), t0 = start;
            for (long i = 0, trips = 1; ; i += 2, trips++)
            {
                Volatile.Write(ref *line, i + 1);
                for (int spins = 0; Volatile.Read(ref *line) != i + 2; spins++) Spin(spins);
                if (trips % batch != 0) continue;
                long t1 = Stopwatch.GetTimestamp();
                best = Math.Min(best, Sampler.Seconds(t0, t1));
                t0 = t1;
                // A time cap as well as a count: on a loaded machine a batch can take a thousand time slices.
                if (trips >= maxTrips || Sampler.Seconds(start, t1) > 0.3) break;
            }
            Volatile.Write(ref *line, -1);
            echoRunning = !echo.Join(TimeSpan.FromSeconds(10));
            VerificationException.Check(!echoRunning, "echo thread did not stop");
            return best / batch * 1e9;
        }
        finally
        {
            if (!echoRunning) NativeMemory.AlignedFree(line); // a thread still reading it must not read freed memory
        }
    }

    /// <summary>Spins, but gives the CPU away after a while: when both threads share one vCPU, pure spinning
    /// would burn whole time slices waiting for a thread that cannot run.</summary>
    private static void Spin(int spins)
    {
        if (spins < 1_000) Thread.SpinWait(1);
        else Thread.Yield();
    }
}
