using NativeIpc;

namespace NativeIpc.ClusterApp;

/// <summary>What rank 0 runs: each check prints "ok name" or "FAIL name: why".</summary>
internal static class Scenarios
{
    private static int s_failures;

    private static void Check(string name, bool ok, string why = "")
    {
        if (ok) Console.WriteLine($"ok {name}");
        else { Console.WriteLine($"FAIL {name}: {why}"); s_failures++; }
    }

    private static void Throws<TException>(string name, Action action, Func<TException, bool>? check = null) where TException : Exception
    {
        try
        {
            action();
            Check(name, false, "no exception");
        }
        catch (TException e)
        {
            Check(name, check?.Invoke(e) ?? true, e.ToString());
        }
        catch (Exception e)
        {
            Check(name, false, $"{e.GetType().Name}: {e.Message}");
        }
    }

    public static int Square(int x) => x * x;

    public static int Pid(int _) => Environment.ProcessId;

    public static int ThrowOnSeven(int x) => x == 7 ? throw new InvalidOperationException($"seven is not allowed") : x;

    /// <summary>Sleeps longer for small x, so finishing order differs from input order.</summary>
    public static int SlowFirst(int x)
    {
        Thread.Sleep(x == 0 ? 300 : 1);
        return x;
    }

    public static string Greet(string name, int times) => string.Concat(Enumerable.Repeat(name, times));

    public static byte[] Echo(byte[] data) => data;

    private static string? s_nothing = Environment.GetEnvironmentVariable("NATIVEIPC_NEVER_SET");

    /// <summary>Dereferences null: .NET turns the SIGSEGV into a NullReferenceException, which MPI's libraries must not take over.</summary>
    public static int NullDeref(int x) => s_nothing!.Length + x;

    /// <summary>Kills its own rank (as a crash or an OOM kill would) when given 5.</summary>
    public static int DieOnFive(int x)
    {
        if (x == 5)
        {
            Console.Out.Flush();
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
        Thread.Sleep(5);
        return x;
    }

    /// <summary>An unmanaged struct: a map over it travels as one raw block.</summary>
    public readonly record struct Point(int X, long Y, byte Z);

    public static Point Mirror(Point p) => new(-p.X, -p.Y, (byte)(255 - p.Z));

    public static double Half(double x) => x / 2;

    public static int Widen(byte b) => b * 1000;

    public static string Spell(int x) => $"<{x}>";

    public static int? NullOnOdd(int? x) => x % 2 == 1 ? null : x;

    /// <summary>Unmanaged, but with its own serializer: it must keep going through it, not as raw bytes.</summary>
    [IpcSerializer(typeof(CountedSerializer))]
    public readonly record struct Counted(int Value, int Decoded);

    public sealed class CountedSerializer : IIpcSerializer<Counted>
    {
        public void Serialize(Counted value, System.Buffers.IBufferWriter<byte> destination)
        {
            var span = destination.GetSpan(8);
            BitConverter.TryWriteBytes(span, value.Value);
            BitConverter.TryWriteBytes(span[4..], value.Decoded);
            destination.Advance(8);
        }

        public Counted Deserialize(ReadOnlySpan<byte> source) => new(BitConverter.ToInt32(source), BitConverter.ToInt32(source[4..]) + 1);
    }

    public static Counted Identity(Counted c) => c;

    /// <summary>Maps over one unmanaged argument (sent as raw blocks, run through a typed delegate) and over types that
    /// keep the per-item encoding.</summary>
    private static void RawBlocks(ClusterPool pool)
    {
        var longs = Enumerable.Range(0, 5000).Select(i => (long)i * 3_000_000_000).ToList(); // a List: copied, not read in place
        Check("raw-long", pool.Map(static (long x) => x + 1, longs).SequenceEqual(longs.Select(x => x + 1)), "wrong results");
        double[] doubles = [.. Enumerable.Range(0, 3001).Select(i => i * 0.25)];
        Check("raw-double", pool.Map(Half, doubles, chunkSize: 7).SequenceEqual(doubles.Select(Half)), "wrong results");
        byte[] bytes = [.. Enumerable.Range(0, 4000).Select(i => (byte)i)]; // 1-byte items: more items than 4-byte words in a chunk
        Check("raw-byte", pool.Map(Widen, bytes).SequenceEqual(bytes.Select(Widen)), "wrong results");
        Point[] points = [.. Enumerable.Range(0, 999).Select(i => new Point(i, -7L * i, (byte)i))];
        Check("raw-struct", pool.Map(Mirror, points).SequenceEqual(points.Select(Mirror)), "wrong results");
        Check("raw-to-string", pool.Map(Spell, Enumerable.Range(0, 300)).SequenceEqual(Enumerable.Range(0, 300).Select(Spell)), "wrong results");
        int?[] nullable = [1, 2, null, 4];
        Check("nullable", pool.Map(NullOnOdd, nullable).SequenceEqual([null, 2, null, 4]), "wrong results");
        var counted = pool.Map(Identity, [new Counted(5, 0)]);
        Check("own-serializer", counted is [{ Value: 5, Decoded: 2 }], $"{string.Join(",", counted)}: decoded twice through its serializer expected");
        var unordered = pool.ImapUnordered(Square, Enumerable.Range(0, 1000), chunkSize: 10).Order().ToArray();
        Check("raw-imap-unordered", unordered.SequenceEqual(Enumerable.Range(0, 1000).Select(Square).Order()), "wrong results");
        Check("raw-empty", pool.Map(Square, Array.Empty<int>()).Length == 0, "not empty");
    }

    public static int Basic(ClusterPool pool)
    {
        RawBlocks(pool);
        int[] items = Enumerable.Range(0, 10_000).ToArray();
        var squares = pool.Map(Square, items);
        Check("map-ordered", squares.SequenceEqual(items.Select(x => x * x)), "wrong results");
        var chunk1 = pool.Map(Square, items.Take(500), chunkSize: 1);
        Check("map-chunk1", chunk1.SequenceEqual(items.Take(500).Select(x => x * x)), "wrong results");
        var lambda = pool.Map(static (long x) => x + 1, new long[] { 1, 2, 3 });
        Check("map-lambda", lambda.SequenceEqual(new long[] { 2, 3, 4 }), string.Join(",", lambda));
        var pids = pool.Map(Pid, Enumerable.Range(0, 400), chunkSize: 1).Distinct().ToArray();
        Check("load-spread", pids.Length == pool.Size && !pids.Contains(Environment.ProcessId), $"pids {string.Join(",", pids)} for {pool.Size} workers");
        Check("imap-ordered", pool.Imap(SlowFirst, Enumerable.Range(0, 8)).SequenceEqual(Enumerable.Range(0, 8)), "out of order");
        var unordered = pool.ImapUnordered(SlowFirst, Enumerable.Range(0, 8)).ToList();
        Check("imap-unordered", unordered.Order().SequenceEqual(Enumerable.Range(0, 8)) && unordered[0] != 0, string.Join(",", unordered));
        Check("starmap", pool.StarMap(Greet, new[] { ("a", 2), ("bc", 3) }).SequenceEqual(["aa", "bcbcbc"]), "wrong results");
        Check("apply", pool.Apply(Square, 12) == 144, "wrong result");
        Check("apply-async", pool.ApplyAsync(Greet, "x", 3).Get(TimeSpan.FromSeconds(30)) == "xxx", "wrong result");
        Check("map-async", pool.MapAsync(Square, [1, 2, 3]).Wait(TimeSpan.FromSeconds(30)), "no result");
        var big = new byte[4 << 20];
        new Random(1).NextBytes(big);
        Check("large-message", pool.Apply(Echo, big).AsSpan().SequenceEqual(big), "bytes differ");
        Throws<IpcRemoteException>("remote-exception", () => pool.Map(ThrowOnSeven, Enumerable.Range(0, 20)),
            e => e.RemoteType == typeof(InvalidOperationException).FullName && e.RemoteMessage.Contains("seven"));
        Throws<IpcRemoteException>("null-reference", () => pool.Apply(NullDeref, 1), e => e.RemoteType == typeof(NullReferenceException).FullName);
        Check("after-exception", pool.Map(Square, [3, 4]).SequenceEqual([9, 16]), "the pool did not carry on");
        Throws<ArgumentException>("capturing-lambda-refused", () => { int k = 3; pool.Map((int x) => x + k, [1]); });
        using (var cts = new CancellationTokenSource())
        {
            var pending = pool.MapAsync(SlowFirst, Enumerable.Range(0, 50), chunkSize: 1, cancellationToken: cts.Token);
            cts.Cancel();
            Throws<OperationCanceledException>("cancel", () => pending.GetAwaiter().GetResult());
        }
        pool.Close();
        Check("join", pool.Join(TimeSpan.FromSeconds(30)), "join timed out");
        Throws<InvalidOperationException>("closed-refuses", () => pool.Apply(Square, 1));
        using (var second = new ClusterPool())
            Check("second-pool", second.Map(Square, [5]).SequenceEqual([25]), "wrong result");
        return s_failures;
    }

    /// <summary>One task kills its worker rank; the job must end (mpiexec reports the dead rank), never hang.</summary>
    public static int KillWorker(ClusterPool pool)
    {
        Console.WriteLine("ok before-kill");
        try
        {
            var results = pool.Map(DieOnFive, Enumerable.Range(0, 40), chunkSize: 1, timeout: TimeSpan.FromSeconds(60));
            Console.WriteLine($"FAIL kill-worker: the map returned {results.Length} results");
        }
        catch (IpcWorkerLostException e)
        {
            Console.WriteLine($"ok worker-lost: {e.Message}");
        }
        return 1;
    }

    /// <summary>Sleeps <paramref name="ms"/> milliseconds: a long task that takes no CPU.</summary>
    public static int SleepFor(int ms)
    {
        Thread.Sleep(ms);
        return ms;
    }

    /// <summary>While the workers run long tasks, rank 0 takes almost no CPU: a map of one task more than there are
    /// workers (the last one waits in rank 0's queue for an idle worker), and rank 0's CPU time over the map's wall time.</summary>
    public static int Rank0Idle(ClusterPool pool)
    {
        pool.Map(SleepFor, Enumerable.Repeat(1, 4 * pool.Size), chunkSize: 1); // warm up every rank
        const int TaskMs = 400;
        var self = System.Diagnostics.Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var results = pool.Map(SleepFor, Enumerable.Repeat(TaskMs, pool.Size + 1), chunkSize: 1, timeout: TimeSpan.FromSeconds(60));
        wall.Stop();
        self.Refresh();
        double cpuMs = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds, wallMs = wall.Elapsed.TotalMilliseconds;
        Check("rank0-results", results.All(r => r == TaskMs), "wrong results");
        Check($"rank0-idle cpu {cpuMs:F0} ms over {wallMs:F0} ms", cpuMs < 0.15 * wallMs,
            $"rank 0 took {cpuMs:F0} ms of CPU during a {wallMs:F0} ms map whose tasks sleep (a busy loop on its MPI thread?)");
        return s_failures;
    }

    /// <summary>Round trips of one apply to ranks that went to sleep (each after a pause): how long a sleeping rank takes
    /// to see a message. Prints the median; run with the spins off (NATIVEIPC_CLUSTER_SPIN=0, NATIVEIPC_CLUSTER_RUNG_SPIN=0)
    /// so every wait is a sleep.</summary>
    public static int WakeLatency(ClusterPool pool)
    {
        for (int i = 0; i < 20; i++) pool.Apply(Square, i); // warm up
        var times = new List<double>();
        for (int i = 0; i < 31; i++)
        {
            Thread.Sleep(5);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            int r = pool.ApplyAsync(Square, i).Get(TimeSpan.FromSeconds(30));
            times.Add(sw.Elapsed.TotalMicroseconds);
            if (r != i * i) Check("wake-results", false, $"Square({i}) = {r}");
        }
        times.Sort();
        double median = times[times.Count / 2];
        // A rank that only polls MPI sees a message at its next poll: 1 ms slices on a worker, up to 4 ms on rank 0
        // (2.5-3.9 ms a round trip measured before doorbells, 0.35-0.45 ms with them, on this 2-vCPU VM under load).
        Check($"wake-latency median {median:F0} us", median < 1500, $"median round trip {median:F0} us (min {times[0]:F0}, max {times[^1]:F0})");
        return s_failures;
    }

    /// <summary>Trivial-task throughput at chunk 1 and at the default chunk size (prints tasks/s).</summary>
    public static int Throughput(ClusterPool pool, int n)
    {
        var items = Enumerable.Range(0, n).ToArray();
        pool.Map(Square, items.Take(200), chunkSize: 1); // warm up every rank
        foreach (int? chunk in new int?[] { 1, null })
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var pending = pool.MapAsync(Square, items, chunkSize: chunk);
            var submitted = sw.Elapsed;
            var r = pending.Result;
            sw.Stop();
            Console.WriteLine($"submit {submitted.TotalMilliseconds:F0} ms of {sw.Elapsed.TotalMilliseconds:F0} ms");
            Check($"throughput-chunk{chunk?.ToString() ?? "auto"} {n / sw.Elapsed.TotalSeconds:F0} tasks/s", r[^1] == (n - 1) * (n - 1));
        }
        return s_failures;
    }
}
