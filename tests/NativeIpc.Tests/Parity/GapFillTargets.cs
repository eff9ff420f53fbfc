namespace NativeIpc.Tests.Parity;

/// <summary>Child targets of the gap-fill tests (what Python users reach for that NativeIpc lacked).</summary>
public static class GapFillTargets
{
    /// <summary>Pops <paramref name="count"/> items, each popped value recorded in <paramref name="seen"/>.</summary>
    public static void PopMany(IpcList<int> list, IpcQueue<int> seen, int count)
    {
        for (int i = 0; i < count; i++) seen.Put(list.Pop());
    }

    /// <summary>Pops dictionary entries until empty, recording the keys.</summary>
    public static void PopItems(IpcDict<int, int> dict, IpcQueue<int> seen)
    {
        while (dict.TryPopItem(out var kv)) seen.Put(kv.Key);
        seen.Close();
    }

    /// <summary>Takes the value's lock (the one the parent created it with), reports, and waits to be released.</summary>
    public static void HoldValueLock(SharedValue<int> value, IpcEvent held, IpcEvent release)
    {
        using (value.GetLock().Acquire(TimeSpan.FromSeconds(60)))
        {
            value.Value = 42;
            held.Set();
            release.Wait(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>The same for an array.</summary>
    public static void HoldArrayLock(SharedArray<int> array, IpcEvent held, IpcEvent release)
    {
        using (array.GetLock().Acquire(TimeSpan.FromSeconds(60)))
        {
            array[0] = 42;
            held.Set();
            release.Wait(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Passes the value on to a grandchild that holds its lock (the lock travels further).</summary>
    public static void HoldValueLockInGrandchild(SharedValue<int> value, IpcEvent held, IpcEvent release)
    {
        using var p = IpcProcess.Start(HoldValueLock, value, held, release);
        if (!p.Join(TimeSpan.FromSeconds(60)) || p.ExitCode != 0) throw new InvalidOperationException($"grandchild: {p.ExitCode}");
    }
}
