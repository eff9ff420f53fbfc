using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Net;

/// <summary>The remote manager's leases: reads from a cached copy and unanswered deltas, and the consistency they must
/// keep (a change made before a message is seen by whoever gets the message).</summary>
[TestFixture, Platform(Exclude = "Win", Reason = "as RemoteManagerTests: Listener/Client verified on Linux only")]
public class RemoteManagerLeaseTests : ChildProcessFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static byte[] Key => NetTestAddresses.Key;
    private static string KeyHex => NetTestAddresses.Hex(Key);

    private static LeaseChannel Leases(IpcManager m) => ((ManagerClient)m.RemoteLink!).Leases;

    [Test]
    public void Uncontended_GetsAndSetsMakeNoRoundTrip_AndTheServerSeesEverySet()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Abstract(), Key);
        using var client = IpcManager.Connect(server.Address!, Key, Wait);
        var d = client.Dict<int, int>("d");
        var leases = Leases(client);
        _ = d.Count;
        int before = leases.Requests;
        for (int i = 0; i < 1000; i++) _ = d.TryGetValue(i % 100, out _);
        Assert.That(leases.Requests, Is.EqualTo(before), "gets under a shared lease are answered locally");
        for (int i = 0; i < 1000; i++) d[i % 100] = i;
        Assert.That(leases.Requests, Is.EqualTo(before + 1), "one round trip takes the exclusive lease; the sets go as deltas");
        for (int i = 0; i < 1000; i++) Assert.That(d[i % 100], Is.EqualTo(900 + i % 100));
        Assert.That(leases.Requests, Is.EqualTo(before + 1), "read your writes, locally");

        // The serving process reads: the client's lease is recalled after its deltas, so every set is there.
        var served = server.Dict<int, int>("d");
        Assert.That(served.Count, Is.EqualTo(100));
        for (int i = 0; i < 100; i++) Assert.That(served[i], Is.EqualTo(900 + i));
        served[0] = -1;
        Assert.That(d[0], Is.EqualTo(-1), "the revoked client asks again and sees the served process's set");
        Assert.That(leases.Requests, Is.EqualTo(before + 2));
    }

    [Test]
    public void SetThenMessage_TheReceiverSeesTheSet_BothWays()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Tcp(), Key);
        using var me = IpcManager.Connect(server.Address!, Key, Wait);
        var d = me.Dict<string, int>("d");
        d["p"] = -1;
        const int rounds = 200;
        var (mine, theirs) = Multiprocessing.Pipe();
        using (mine)
        {
            var p = Track(IpcProcess.Start(RemoteManagerChildTargets.SetThenTell, server.Address!.ToString(), KeyHex, theirs, rounds));
            theirs.Dispose();
            for (int i = 0; i < rounds; i++)
            {
                int told = mine.Recv<int>(Wait);
                Assert.That(told, Is.EqualTo(i));
                // Our shared lease was revoked (and acknowledged by our reader loop) before the child's set returned.
                Assert.That(d["k"], Is.EqualTo(i), $"round {i}: the child's set, made before its message");
                Assert.That(d["k2"], Is.EqualTo(i));
                d["p"] = i;
                mine.Send(i);
            }
            JoinOrFail(p);
            Assert.That(p.ExitCode, Is.EqualTo(0), "the child saw every one of our sets");
        }
    }

    [Test]
    public void HolderOfTheExclusiveLeaseKilled_ItsSentChangesStay_AndOthersGoOn()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Tcp(), Key);
        using var other = IpcManager.Connect(server.Address!, Key, Wait);
        var d = other.Dict<string, int>("d");
        d["k"] = 0;
        var p = Track(IpcProcess.Start(RemoteManagerChildTargets.SetAndHang, server.Address!.ToString(), KeyHex, 500));
        Assert.That(server.Event("set").Wait(Wait), Is.True);
        p.Kill();
        JoinOrFail(p);
        var sw = Stopwatch.StartNew();
        Assert.That(d["k"], Is.EqualTo(500), "every set the dead holder made before it signalled");
        d["k"] = 1;
        Assert.That(server.Dict<string, int>("d")["k"], Is.EqualTo(1));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "a dead holder's lease is not waited for");
    }

    [Test]
    public void Dispose_RightAfterSets_LosesNone()
    {
        using var server = IpcManager.Serve(NetTestAddresses.Abstract(), Key);
        for (int round = 0; round < 5; round++)
        {
            using (var client = IpcManager.Connect(server.Address!, Key, Wait))
            {
                var l = client.List<int>("l");
                for (int i = 0; i < 100; i++) l.Add(i);
            }
            Assert.That(server.List<int>("l").Count, Is.EqualTo(100 * (round + 1)));
        }
    }
}
