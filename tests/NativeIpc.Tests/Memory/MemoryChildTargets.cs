namespace NativeIpc.Tests.Memory;

/// <summary>Targets the shared-memory tests run in children.</summary>
public static class MemoryChildTargets
{
    /// <summary>The seed's example: bump the counter, double every element.</summary>
    public static void IncrementAndDouble(SharedValue<int> n, SharedArray<double> arr)
    {
        n.Value += 1;
        for (int i = 0; i < arr.Length; i++) arr[i] *= 2;
    }

    /// <summary>Read-modify-write under the value's own lock (Python: with v.get_lock(): v.value += 1).</summary>
    public static void LockedAddMany(SharedValue<long> v, int count)
    {
        for (int i = 0; i < count; i++)
            using (v.GetLock().Acquire()) v.Value = v.Value + 1;
    }

    public static void AddMany(SharedValue<long> v, int count)
    {
        for (int i = 0; i < count; i++) v.Increment();
    }

    public static void FillBytes(SharedMemory shm, byte value) => shm.Span.Fill(value);

    /// <summary>Writes, then disposes the child's copy: that must not remove the creator's segment.</summary>
    public static void WriteThenDispose(SharedArray<int> arr)
    {
        arr[0] = 7;
        arr.Dispose();
    }
}
