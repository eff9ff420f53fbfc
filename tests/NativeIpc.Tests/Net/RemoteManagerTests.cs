using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Net;

[TestFixture, Platform(Exclude = "Win", Reason = "Listener/Client on Windows is compiled but not verified: under Wine there are no Unix-domain sockets and Multiprocessing.Wait over a socket hangs (open defect); Linux only for now")]
public class RemoteManagerTests : ChildProcessFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static byte[] Key => NetTestAddresses.Key;
    private static string KeyHex => NetTestAddresses.Hex(Key);

    [Test]
    public void ServedManager_ChildConnectingByAddress_SharesEveryKindOfObject()
    {
        using var m = Multiprocessing.Manager(NetTestAddresses.Tcp(), Key);
        var d = m.Dict<string, int>("d");
        d["parent"] = 1;
        var toChild = m.Queue<int>("to-child");
        toChild.Put(5);
        var done = m.Event("done");
        var p = Track(IpcProcess.Start(RemoteManagerChildTargets.UseEveryObject, m.Address!.ToString(), KeyHex));
        Assert.That(done.Wait(Wait), Is.True, "the child finished");
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(d.ToDictionary(), Is.EquivalentTo(new Dictionary<string, int> { ["parent"] = 1, ["child"] = 7, ["a"] = 1, ["b"] = 2 }));
        Assert.That(m.List<string>("l").ToList(), Is.EqualTo(new[] { "x", "y" }));
        Assert.That(m.Namespace("ns").Get<int>("answer"), Is.EqualTo(42));
        Assert.Throws<IpcSerializationException>(() => m.Namespace("ns").Get<string>("answer"));
        Assert.That(m.Queue<string>("q").Get(Wait), Is.EqualTo("from child"));
        Assert.That(m.Value("v", -1).Value, Is.EqualTo(100), "the first opener's initial value, then 100 atomic updates");
    }

    [Test]
    public void ConnectedManagers_ConcurrentUpdates_LoseNothing()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Abstract(), Key);
        using var a = IpcManager.Connect(server.Address!, Key, Wait);
        using var b = IpcManager.Connect(server.Address!, Key, Wait);
        var da = a.Dict<string, int>("counts");
        var db = b.Dict<string, int>("counts");
        var t1 = Task.Run(() => { for (int i = 0; i < 200; i++) da.AddOrUpdate("n", 1, (_, v) => v + 1); });
        var t2 = Task.Run(() => { for (int i = 0; i < 200; i++) db.AddOrUpdate("n", 1, (_, v) => v + 1); });
        Assert.That(Task.WaitAll([t1, t2], Wait), Is.True);
        Assert.That(server.Dict<string, int>("counts")["n"], Is.EqualTo(400));
        Assert.That(da.TryAdd("n", 0), Is.False, "a no-op write answers from the current snapshot");
        db.Remove("n");
        Assert.That(da.TryAdd("n", 0), Is.True, "...not from a stale copy");
    }

    [Test]
    public void ManagedLockAndEvent_WorkAcrossConnections()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Tcp(), Key);
        using var client = IpcManager.Connect(server.Address!, Key, Wait);
        var l1 = server.Lock("l");
        var l2 = client.Lock("l");
        Assert.That(l1.Acquire(Wait), Is.True);
        Assert.That(l2.Acquire(TimeSpan.FromMilliseconds(100)), Is.False);
        var waiter = Task.Run(() => l2.Acquire(Wait));
        Thread.Sleep(50);
        l1.Release();
        Assert.That(waiter.Wait(Wait) && waiter.Result, Is.True);
        l2.Release();
        Assert.Throws<SynchronizationLockException>(() => l2.Release());
        var e = client.Event("e");
        Assert.That(e.Wait(TimeSpan.FromMilliseconds(50)), Is.False);
        var w = Task.Run(() => e.Wait(Wait));
        server.Event("e").Set();
        Assert.That(w.Wait(Wait) && w.Result, Is.True);
        Assert.That(e.IsSet, Is.True);
        e.Clear();
        Assert.That(server.Event("e").IsSet, Is.False);
        Assert.Throws<IpcSegmentMismatchException>(() => client.Queue<int>("e"), "a name keeps its kind");
        Assert.Throws<IpcSegmentMismatchException>(() => client.Dict<int, int>("d0").Equals(client.Dict<string, int>("d0")));
    }

    [Test]
    public void Connect_WithWrongKey_Throws()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Tcp(), Key);
        Assert.Throws<IpcAuthenticationException>(() => IpcManager.Connect(server.Address!, "wrong"u8.ToArray(), Wait));
        Assert.Throws<InvalidOperationException>(() => new IpcManager().Queue<int>("q"), "named objects need a served manager");
    }

    [Test]
    public void Capacity_IsEnforcedByTheServer()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Tcp(), Key, capacityBytes: 1024);
        using var client = IpcManager.Connect(server.Address!, Key, Wait);
        var l = client.List<string>("small", 100);
        Assert.Throws<IpcCapacityExceededException>(() => l.Add(new string('x', 200)));
        Assert.That(l.Count, Is.EqualTo(0));
    }

    [Test]
    public void ServerKilled_EveryProxyCallThrowsAtOnce()
    {
        var address = NetTestAddresses.UnixPath();
        var p = Track(IpcProcess.Start(RemoteManagerChildTargets.ServeForever, address.Path!, KeyHex));
        IpcManager? m = null;
        Assert.That(Eventually(() =>
        {
            try { m = IpcManager.Connect(address, Key, Wait); return m.Dict<string, int>("d").ContainsKey("served"); }
            catch (System.Net.Sockets.SocketException) { return false; }
        }, Wait), Is.True, "the child serves");
        using (m)
        {
            var d = m!.Dict<string, int>("d");
            var q = m.Queue<int>("q");
            var blocked = Task.Run(() => q.Get(Wait));
            Thread.Sleep(100);
            p.Kill();
            JoinOrFail(p);
            var sw = Stopwatch.StartNew();
            Assert.That(() => blocked.Wait(Wait), Throws.InnerException.InstanceOf<IpcPipeClosedException>(), "a call waiting on the server");
            Assert.Throws<IpcPipeClosedException>(() => d["x"] = 1);
            Assert.Throws<IpcPipeClosedException>(() => _ = d.Count);
            Assert.Throws<IpcPipeClosedException>(() => q.Put(1));
            Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "at once, not after a timeout");
        }
    }

    [Test]
    public void ClientKilledMidCall_ServerAndOtherClientsGoOn_ItsLockIsFreed()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Tcp(), Key);
        using var other = IpcManager.Connect(server.Address!, Key, Wait);
        var p = Track(IpcProcess.Start(RemoteManagerChildTargets.LockAndBlock, server.Address!.ToString(), KeyHex));
        Assert.That(server.Event("locked").Wait(Wait), Is.True);
        Assert.That(other.Lock("lock").Acquire(TimeSpan.FromMilliseconds(100)), Is.False, "the child holds it");
        p.Kill();
        JoinOrFail(p);
        Assert.That(other.Lock("lock").Acquire(Wait), Is.True, "the server freed the dead client's lock");
        other.Queue<int>("never").Put(1);
        Assert.That(server.Queue<int>("never").Get(Wait), Is.EqualTo(1), "the dead client's pending get did not take the item");
        other.Dict<string, int>("d")["k"] = 3;
        Assert.That(server.Dict<string, int>("d")["k"], Is.EqualTo(3));
    }
}
