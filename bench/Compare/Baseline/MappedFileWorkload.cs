using System.Diagnostics;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Baseline;

/// <summary>The value, lock and array rows done with what .NET offers: a MemoryMappedFile and a named
/// <see cref="Mutex"/> (cross-process on Unix too). Children are IpcProcess targets given the map's key (a file path on
/// Unix, a map name on Windows: <see cref="MappedFile"/>) and the mutex name; they start before the timed section and
/// wait for "go" in the shared memory.</summary>
internal sealed class MappedFileWorkload(string name) : IWorkload
{
    private const string ValueRole = "value";
    private const string AtomicRole = "atomic";
    private const string LockRole = "lock";
    private const string ArrayRole = "array";

    public string Name => name;

    public Measurement Run(Settings settings)
    {
        int count = settings.CountOf(name);
        return name switch
        {
            "value-incr-lock" => Sampler.Repeat(settings, () => Contend(ValueRole, count)),
            "value-incr-atomic" => Sampler.Repeat(settings, () => Contend(AtomicRole, count)),
            "lock-contention" => Sampler.Repeat(settings, () => Contend(LockRole, count)),
            "array-64MiB" => ArrayRows(settings),
            _ => throw new ArgumentException($"No mmap+Mutex version of '{name}'."),
        };
    }

    private static double Contend(string role, int n)
    {
        using var file = MappedFile.Create(MappedFileLayout.HeaderSize);
        string mutex = "nipc-compare-" + Guid.NewGuid().ToString("N");
        var children = new[] { IpcProcess.Start(Child, file.Key, mutex, role, 0, n), IpcProcess.Start(Child, file.Key, mutex, role, 1, n) };
        try
        {
            // Both children wait at "go", so their start is not timed.
            var deadline = Stopwatch.StartNew();
            while (Volatile.Read(ref file.Int(MappedFileLayout.ReadyOffset)) < 2)
            {
                VerificationException.Check(deadline.Elapsed < TimeSpan.FromSeconds(30), "children did not start");
                Thread.Sleep(1);
            }
            long t0 = Stopwatch.GetTimestamp();
            Volatile.Write(ref file.Int(MappedFileLayout.GoOffset), 1);
            foreach (var c in children) Join(c);
            long end = Math.Max(file.Long(MappedFileLayout.EndTicksOffset), file.Long(MappedFileLayout.EndTicksOffset + 8));
            if (role is ValueRole or AtomicRole)
                VerificationException.Check(file.Long(MappedFileLayout.ValueOffset) == 2L * n, $"value {file.Long(MappedFileLayout.ValueOffset)}, expected {2L * n}");
            return 2.0 * n / Sampler.Seconds(t0, end);
        }
        finally { foreach (var c in children) if (c.ExitCode is null) c.Kill(); } // Join disposed the finished ones
    }

    private static Measurement ArrayRows(Settings settings)
    {
        const int size = 64 << 20;
        using var file = MappedFile.Create(MappedFileLayout.HeaderSize + size);
        var copy = GC.AllocateUninitializedArray<byte>(size);
        int round = 0;
        return Sampler.Repeat(settings, () =>
        {
            byte k = (byte)(1 + round++ % 250);
            var child = IpcProcess.Start(Child, file.Key, "", ArrayRole, (int)k, size);
            Join(child);
            double write = BitConverter.Int64BitsToDouble(file.Long(MappedFileLayout.WriteSecondsOffset));
            long t0 = Stopwatch.GetTimestamp();
            unsafe { new ReadOnlySpan<byte>(file.Pointer + MappedFileLayout.DataOffset, size).CopyTo(copy); }
            double read = Sampler.Seconds(t0, Stopwatch.GetTimestamp());
            VerificationException.Check(copy.AsSpan().IndexOfAnyExcept(k) < 0, "array content wrong");
            return 2.0 * size / (write + read) / 1e9;
        });
    }

    private static void Join(IpcProcess child)
    {
        if (!child.Join(TimeSpan.FromSeconds(60))) { child.Kill(); throw new VerificationException("child did not finish"); }
        VerificationException.Check(child.ExitCode == 0, $"child exit code {child.ExitCode}");
        child.Dispose();
    }

    /// <summary>The child: an IpcProcess target. For "array", <paramref name="index"/> is the fill value and
    /// <paramref name="n"/> the size.</summary>
    private static void Child(string key, string mutexName, string role, int index, int n)
    {
        using var file = MappedFile.Open(key, role == ArrayRole ? MappedFileLayout.HeaderSize + n : MappedFileLayout.HeaderSize);
        if (role == ArrayRole)
        {
            long t0 = Stopwatch.GetTimestamp();
            unsafe { new Span<byte>(file.Pointer + MappedFileLayout.DataOffset, n).Fill((byte)index); }
            file.Long(MappedFileLayout.WriteSecondsOffset) = BitConverter.DoubleToInt64Bits(Sampler.Seconds(t0, Stopwatch.GetTimestamp()));
            return;
        }
        using var mutex = new Mutex(false, mutexName);
        Interlocked.Increment(ref file.Int(MappedFileLayout.ReadyOffset));
        var spin = new SpinWait();
        while (Volatile.Read(ref file.Int(MappedFileLayout.GoOffset)) == 0) spin.SpinOnce(sleep1Threshold: -1);
        ref long value = ref file.Long(MappedFileLayout.ValueOffset);
        if (role == AtomicRole)
        {
            for (int i = 0; i < n; i++) Interlocked.Increment(ref value);
            Volatile.Write(ref file.Long(MappedFileLayout.EndTicksOffset + 8 * index), Stopwatch.GetTimestamp());
            return;
        }
        for (int i = 0; i < n; i++)
        {
            mutex.WaitOne();
            if (role == ValueRole) value++; // plain read-modify-write: only the mutex makes the total come out right
            mutex.ReleaseMutex();
        }
        Volatile.Write(ref file.Long(MappedFileLayout.EndTicksOffset + 8 * index), Stopwatch.GetTimestamp());
    }
}
