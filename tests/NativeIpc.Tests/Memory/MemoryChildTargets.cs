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

/// <summary>Targets that play a segment creator by hand, to pin what attachers see mid-create.</summary>
public static class SegmentCreatorTargets
{
    /// <summary>Creates <paramref name="name"/> the way a creator does, one step at a time with pauses: the name
    /// empty, then sized, then the header without its magic, then the magic, then the payload, then ready.</summary>
    public static unsafe void CreateSlowly(string name, int stepMs)
    {
        string path = "/dev/shm/" + name;
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite);
        Thread.Sleep(stepMs);
        f.SetLength(NativeIpc.Memory.SegmentLayout.HeaderSize + 64);
        Thread.Sleep(stepMs);
        WriteAt(f, NativeIpc.Memory.SegmentLayout.VersionOffset, BitConverter.GetBytes(NativeIpc.Memory.SegmentLayout.Version));
        WriteAt(f, NativeIpc.Memory.SegmentLayout.KindOffset, BitConverter.GetBytes((ushort)NativeIpc.Memory.SegmentKind.RawMemory));
        WriteAt(f, NativeIpc.Memory.SegmentLayout.TotalSizeOffset, BitConverter.GetBytes((long)NativeIpc.Memory.SegmentLayout.HeaderSize + 64));
        Thread.Sleep(stepMs);
        WriteAt(f, NativeIpc.Memory.SegmentLayout.MagicOffset, BitConverter.GetBytes(NativeIpc.Memory.SegmentLayout.Magic));
        Thread.Sleep(stepMs);
        WriteAt(f, NativeIpc.Memory.SegmentLayout.PayloadOffset, [0x5A]);
        WriteAt(f, NativeIpc.Memory.SegmentLayout.StateOffset, BitConverter.GetBytes(NativeIpc.Memory.SegmentLayout.StateReady));
    }

    /// <summary>Writes this process's owner id into <paramref name="owner"/> and exits.</summary>
    public static void ReportOwner(SharedValue<int> owner) => owner.Value = NativeIpc.Os.ProcessLiveness.Self;

    private static void WriteAt(FileStream f, long offset, byte[] bytes)
    {
        f.Position = offset;
        f.Write(bytes);
        f.Flush();
    }
}
