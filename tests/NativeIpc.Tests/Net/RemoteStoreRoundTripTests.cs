using NUnit.Framework;

namespace NativeIpc.Tests.Net;

/// <summary>How many requests a remote collection's calls cost (counted on an in-process link to a server).</summary>
[TestFixture]
public class RemoteStoreRoundTripTests
{
    private sealed class CountingLink(IManagerLink inner) : IManagerLink
    {
        public int Calls;

        public byte[] Call(ManagerMessage request)
        {
            Interlocked.Increment(ref Calls);
            return inner.Call(request);
        }

        public IpcAddress Address => inner.Address;

        public void Dispose() => inner.Dispose();
    }

    [Test]
    public void BatchCalls_AreOneRoundTripEach_WhenNoOtherProcessWrote()
    {
        using var server = new ManagerServer(null);
        var link = new CountingLink(new LocalManagerLink(server, IpcAddress.Unix("/unused")));
        var other = new LocalManagerLink(server, IpcAddress.Unix("/unused"));
        var d = new IpcDict<string, int>(decode => new RemoteSnapshotStore<OrderedDictionary<string, int>>(
            link, ManagerObjectKind.Dict, IpcDict<string, int>.TypeTag, "d", 1 << 20, decode));
        Assert.That(d.Count, Is.EqualTo(0));
        link.Calls = 0;
        d.Update(Enumerable.Range(0, 100).Select(i => new KeyValuePair<string, int>("k" + i, i)));
        Assert.That(link.Calls, Is.EqualTo(1), "Update");
        link.Calls = 0;
        Assert.That(d.ToDictionary(), Has.Count.EqualTo(100));
        Assert.That(link.Calls, Is.EqualTo(1), "snapshot");
        var l = new IpcList<int>(decode => new RemoteSnapshotStore<List<int>>(link, ManagerObjectKind.List, IpcList<int>.TypeTag, "l", 1 << 20, decode));
        _ = l.Count;
        link.Calls = 0;
        l.AddRange(Enumerable.Range(0, 1000));
        Assert.That(link.Calls, Is.EqualTo(1), "AddRange");

        // Another writer in between: the publish is refused with the newer snapshot, and retried once.
        var d2 = new IpcDict<string, int>(decode => new RemoteSnapshotStore<OrderedDictionary<string, int>>(
            other, ManagerObjectKind.Dict, IpcDict<string, int>.TypeTag, "d", 1 << 20, decode));
        d2["other"] = 1;
        link.Calls = 0;
        d["mine"] = 2;
        Assert.That(link.Calls, Is.EqualTo(2), "refused publish + retry");
        Assert.That(d2.ToDictionary(), Has.Count.EqualTo(102));
    }
}
