namespace NativeIpc.Demo;

/// <summary>Seed section "Process Pool": map, apply_async with a timeout, then lazy imap. Prints
/// <c>[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]</c>, <c>400</c>, then 0 1 4 9 16 one per line.</summary>
public static class PoolExample
{
    /// <summary>Runs in a pool worker.</summary>
    public static int Square(int x)
    {
        // The seed sleeps 1 s here to simulate slow work; 10 ms keeps the demo quick.
        Thread.Sleep(10);
        return x * x;
    }

    public static void Run()
    {
        using var pool = Multiprocessing.Pool(processes: 4);                   // with Pool(processes=4) as pool:
        int[] results = pool.Map(Square, Enumerable.Range(0, 10));              // pool.map(square, range(10))
        Console.WriteLine($"[{string.Join(", ", results)}]");
        var result = pool.ApplyAsync(Square, 20);                               // pool.apply_async(square, (20,))
        Console.WriteLine(result.Get(timeout: TimeSpan.FromSeconds(2)));
        foreach (int res in pool.Imap(Square, Enumerable.Range(0, 5)))          // pool.imap(square, range(5))
            Console.WriteLine(res);
    }
}
