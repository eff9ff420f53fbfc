namespace NativeIpc.Demo;

/// <summary>Seed section "Sharing state between processes": a child increments a shared Value and doubles a shared
/// Array; the parent prints <c>1</c> then <c>[2, 4, 6]</c>.</summary>
public static class SharedMemoryExample
{
    /// <summary>Runs in the child: works on the parent's value and array in place.</summary>
    public static void Increment(SharedValue<int> n, SharedArray<double> arr)
    {
        n.Value += 1;
        for (int i = 0; i < arr.Length; i++)
            arr[i] *= 2;
    }

    public static void Run()
    {
        using var num = Multiprocessing.Value(0);              // Value('i', 0)
        using var arr = Multiprocessing.Array(1.0, 2.0, 3.0);  // Array('d', [1.0, 2.0, 3.0])
        using var p = IpcProcess.Start(Increment, num, arr);
        p.Join();
        Console.WriteLine(num.Value);
        Console.WriteLine($"[{string.Join(", ", arr)}]");
    }
}
