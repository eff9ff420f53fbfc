namespace NativeIpc.Tests.Net;

/// <summary>Targets the remote manager tests run in child processes; they reach the manager only by address and key.</summary>
public static class RemoteManagerChildTargets
{
    private static IpcManager Connect(string address, string keyHex)
        => IpcManager.Connect(IpcAddress.Parse(address), Convert.FromHexString(keyHex), TimeSpan.FromSeconds(30));

    /// <summary>Uses every kind of object once, then signals "done".</summary>
    public static void UseEveryObject(string address, string keyHex)
    {
        using var m = Connect(address, keyHex);
        var d = m.Dict<string, int>("d");
        d["child"] = 7;
        d.Update([new("a", 1), new("b", 2)]);
        m.List<string>("l").AddRange(["x", "y"]);
        m.Namespace("ns").Set("answer", 42);
        var q = m.Queue<string>("q");
        q.Put("from child");
        Assert(m.Queue<int>("to-child").Get(TimeSpan.FromSeconds(30)) == 5, "the parent's item arrived");
        var v = m.Value("v", 0);
        for (int i = 0; i < 100; i++) v.Update(x => x + 1);
        m.Event("done").Set();
    }

    /// <summary>Serves a manager on the address until killed.</summary>
    public static void ServeForever(string address, string keyHex)
    {
        using var m = IpcManager.Serve(IpcAddress.Parse(address), Convert.FromHexString(keyHex));
        m.Dict<string, int>("d")["served"] = 1;
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>Takes the lock, says so, then waits forever on an empty queue (to be killed mid-call).</summary>
    public static void LockAndBlock(string address, string keyHex)
    {
        using var m = Connect(address, keyHex);
        Assert(m.Lock("lock").Acquire(TimeSpan.FromSeconds(30)), "lock taken");
        m.Event("locked").Set();
        m.Queue<int>("never").Get();
    }

    /// <summary>The lease test's other process: each round it sets "k" (its exclusive lease, a delta nobody answers),
    /// tells the parent through a pipe, and, once the parent answers, must read the parent's "p" (its lease revoked
    /// meanwhile).</summary>
    public static void SetThenTell(string address, string keyHex, Connection pipe, int rounds)
    {
        using var m = Connect(address, keyHex);
        var d = m.Dict<string, int>("d");
        for (int i = 0; i < rounds; i++)
        {
            d["k"] = i;
            d["k2"] = i; // more than one pending delta when the lease is recalled
            pipe.Send(i);
            Assert(pipe.Recv<int>(TimeSpan.FromSeconds(30)) == i, "the parent answered the round");
            Assert(d["p"] == i, $"round {i}: the parent's set, made before its message, is seen (read {d["p"]})");
        }
    }

    /// <summary>Sets "k" to 1..n (holding the exclusive lease), says so, then waits to be killed.</summary>
    public static void SetAndHang(string address, string keyHex, int n)
    {
        var m = Connect(address, keyHex);
        var d = m.Dict<string, int>("d");
        for (int i = 1; i <= n; i++) d["k"] = i;
        m.Event("set").Set();
        Thread.Sleep(Timeout.Infinite);
    }

    private static void Assert(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException("Failed: " + what);
    }
}
