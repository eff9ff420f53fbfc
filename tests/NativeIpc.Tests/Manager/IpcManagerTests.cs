using NUnit.Framework;

namespace NativeIpc.Tests.Manager;

[TestFixture]
public class IpcManagerTests : ChildProcessFixture
{
    [Test]
    public void Dict_BasicOperations_BehaveLikeADictionaryInInsertionOrder()
    {
        using var m = Multiprocessing.Manager();
        var d = m.Dict<string, int>();
        d["b"] = 2;
        d.Add("a", 1);
        Assert.That(d.TryAdd("a", 5), Is.False);
        Assert.Throws<ArgumentException>(() => d.Add("a", 5));
        d["c"] = 3;
        d["b"] = 20;
        Assert.That(d.Keys, Is.EqualTo(new[] { "b", "a", "c" }));
        Assert.That(d.Values, Is.EqualTo(new[] { 20, 1, 3 }));
        Assert.That(d.ToString(), Is.EqualTo("{b: 20, a: 1, c: 3}"));
        Assert.That(d.Remove("a", out int removed) && removed == 1, Is.True);
        Assert.That(d.Remove("a"), Is.False);
        Assert.That(d.ContainsKey("c") && !d.ContainsKey("a"), Is.True);
        Assert.That(d.TryGetValue("c", out int c) && c == 3, Is.True);
        Assert.Throws<KeyNotFoundException>(() => _ = d["zz"]);
        Assert.That(d.GetOrAdd("c", 9), Is.EqualTo(3));
        Assert.That(d.GetOrAdd("d", 4), Is.EqualTo(4));
        Assert.That(d.AddOrUpdate("d", 0, (_, v) => v * 10), Is.EqualTo(40));
        Assert.That(d.ToDictionary(), Is.EquivalentTo(new Dictionary<string, int> { ["b"] = 20, ["c"] = 3, ["d"] = 40 }));
        Assert.That(d.Count, Is.EqualTo(3));
        d.Clear();
        Assert.That(d.Count, Is.EqualTo(0));
        Assert.That(d.ToString(), Is.EqualTo("{}"));
    }

    [Test]
    public void Update_SetsManyKeysAtOnce_KeepingFirstInsertionPosition()
    {
        using var m = Multiprocessing.Manager();
        var d = m.Dict(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 });
        d.Update([new("c", 3), new("a", 10)]);
        Assert.That(d.ToString(), Is.EqualTo("{a: 10, b: 2, c: 3}"));
    }

    [Test]
    public void List_BasicOperations_BehaveLikeAList()
    {
        using var m = Multiprocessing.Manager();
        var l = m.List<int>();
        l.Add(1);
        l.Add(3);
        l.Insert(1, 2);
        l.Insert(0, 0);
        l.AddRange([4, 5]);
        Assert.That(l.ToList(), Is.EqualTo(new[] { 0, 1, 2, 3, 4, 5 }));
        l[5] = 50;
        l.RemoveAt(0);
        Assert.That(l.Remove(3), Is.True);
        Assert.That(l.Remove(3), Is.False);
        Assert.That(l.ToString(), Is.EqualTo("[1, 2, 4, 50]"));
        Assert.That((l.Count, l[3], l.IndexOf(4), l.Contains(2)), Is.EqualTo((4, 50, 2, true)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = l[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => l.Insert(6, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => l.RemoveAt(-1));
        l.Clear();
        Assert.That(l.ToString(), Is.EqualTo("[]"));
    }

    [Test]
    public void Attach_SeesChangesOfOtherHandle_AndEnumerationIsASnapshot()
    {
        using var m = Multiprocessing.Manager();
        var l = m.List<string>(["x"]);
        using var other = IpcList<string>.Attach(l.Name);
        Assert.That(other.ToList(), Is.EqualTo(new[] { "x" }));
        int seen = 0;
        foreach (var item in other)
        {
            l.Add("y" + seen); // changes during enumeration do not disturb it
            seen++;
        }
        Assert.That(seen, Is.EqualTo(1));
        Assert.That(other.Count, Is.EqualTo(2));
        Assert.That(other[1], Is.EqualTo("y0"));
    }

    [Test]
    public void Read_WhileAnotherThreadWrites_AlwaysSeesAConsistentSnapshot()
    {
        using var m = Multiprocessing.Manager();
        var l = m.List<int>();
        using var reader = IpcList<int>.Attach(l.Name);
        const int n = 2000;
        var writer = Task.Run(() => { for (int i = 0; i < n; i++) l.Add(i); });
        int last = 0;
        while (!writer.IsCompleted || last < n)
        {
            var snap = reader.ToList();
            for (int i = 0; i < snap.Count; i++)
                if (snap[i] != i) Assert.Fail($"Torn snapshot: item {i} is {snap[i]}");
            Assert.That(snap.Count, Is.GreaterThanOrEqualTo(last), "snapshots never go back");
            last = snap.Count;
        }
        Assert.That(writer.Wait(TimeSpan.FromSeconds(60)), Is.True, "writer hung");
    }

    [Test]
    public void FourProcesses_EachAddToDictAndList_AllEntriesPresent()
    {
        using var m = Multiprocessing.Manager();
        var d = m.Dict<string, string>();
        var l = m.List<int>();
        var children = Enumerable.Range(0, 4).Select(_ => Track(IpcProcess.Start(ManagerChildTargets.Record, d, l))).ToList();
        foreach (var c in children) JoinOrFail(c);
        Assert.That(children.Select(c => c.ExitCode), Is.All.EqualTo(0));
        Assert.That(d.Keys, Is.EquivalentTo(children.Select(c => c.Name)));
        Assert.That(d.Values, Is.All.EqualTo("value"));
        Assert.That(l.ToList(), Is.EquivalentTo(children.Select(c => c.Pid!.Value)));
    }

    [Test]
    public void AddOrUpdate_FromTwoProcesses_LosesNoUpdate()
    {
        const int perProcess = 1000;
        using var m = Multiprocessing.Manager();
        var d = m.Dict<string, int>();
        var child = Track(IpcProcess.Start(ManagerChildTargets.CountUp, d, perProcess));
        ManagerChildTargets.CountUp(d, perProcess);
        JoinOrFail(child);
        Assert.That(child.ExitCode, Is.EqualTo(0));
        Assert.That(d["count"], Is.EqualTo(2 * perProcess));
    }

    [Test]
    public void AddOrUpdate_CallbackUsingSameDict_ThrowsInsteadOfDeadlocking()
    {
        using var m = Multiprocessing.Manager();
        var d = m.Dict<string, int>();
        d["a"] = 1;
        Assert.Throws<LockRecursionException>(() => d.AddOrUpdate("a", 0, (_, v) => { d["b"] = 2; return v; }));
        Assert.That(d.ToString(), Is.EqualTo("{a: 1}"));
        d["b"] = 2; // the lock was released
        Assert.That(d.Count, Is.EqualTo(2));
    }

    [Test]
    public void Write_PastCapacity_ThrowsAndChangesNothing()
    {
        using var m = new IpcManager(capacityBytes: 128);
        var d = m.Dict<string, string>();
        var l = m.List<long>();
        d["a"] = "1";
        l.Add(7);
        var e = Assert.Throws<IpcCapacityExceededException>(() => d["big"] = new string('x', 200));
        Assert.That((e!.CapacityBytes, e.RequiredBytes > 200), Is.EqualTo((128L, true)));
        Assert.Throws<IpcCapacityExceededException>(() => d["a"] = new string('y', 200));
        Assert.Throws<IpcCapacityExceededException>(() => l.AddRange(Enumerable.Range(0, 20).Select(i => (long)i)));
        Assert.That(d.ToString(), Is.EqualTo("{a: 1}"));
        using (var fresh = IpcDict<string, string>.Attach(d.Name)) Assert.That(fresh.ToString(), Is.EqualTo("{a: 1}"), "the shared content too");
        Assert.That(l.ToList(), Is.EqualTo(new[] { 7L }));
        d["b"] = "2"; // still usable
        Assert.That(d.Count, Is.EqualTo(2));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Writer_KilledBetweenWriteAndPublish_LeavesPreviousContentAndStaysUsable(bool useList)
    {
        using var m = Multiprocessing.Manager();
        var d = m.Dict<string, int>();
        var l = m.List<int>();
        d["kept"] = 1;
        l.AddRange([1, 2]);
        using var stopped = SharedValue<int>.Create(0);
        var child = Track(IpcProcess.Start(ManagerChildTargets.StallBeforePublish, d, l, stopped, useList));
        Assert.That(Eventually(() => stopped.Value == 1, ChildTimeout), Is.True, "the child reached the hook");
        child.Kill();
        JoinOrFail(child);
        // Readers never needed the lock; the dead writer's half-published change is invisible.
        Assert.That(d.ToString(), Is.EqualTo("{kept: 1}"));
        Assert.That(l.ToString(), Is.EqualTo("[1, 2]"));
        // The next writer takes the dead writer's lock over, silently: the data is consistent by construction.
        d["after"] = 2;
        l.Add(3);
        Assert.That(d.ToString(), Is.EqualTo("{kept: 1, after: 2}"));
        Assert.That(l.ToString(), Is.EqualTo("[1, 2, 3]"));
    }

    [Test]
    public void Attach_WrongKindOrType_ThrowsMismatch()
    {
        using var m = Multiprocessing.Manager();
        var d = m.Dict<string, int>();
        var l = m.List<int>();
        Assert.Throws<IpcSegmentMismatchException>(() => IpcDict<string, string>.Attach(d.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => IpcDict<int, int>.Attach(d.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => IpcList<int>.Attach(d.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => IpcList<long>.Attach(l.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => IpcDict<string, int>.Attach(l.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => SharedValue<int>.Attach(d.Name));
    }

    [Test]
    public void UseAfterDispose_ThrowsObjectDisposed()
    {
        var m = Multiprocessing.Manager();
        var d = m.Dict<string, int>();
        var l = m.List<int>();
        d["a"] = 1;
        l.Add(1);
        m.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = d["a"]);
        Assert.Throws<ObjectDisposedException>(() => d["a"] = 2);
        Assert.Throws<ObjectDisposedException>(() => _ = d.Count);
        Assert.Throws<ObjectDisposedException>(() => d.AddOrUpdate("a", 1, (_, v) => v));
        Assert.Throws<ObjectDisposedException>(() => l.Add(2));
        Assert.Throws<ObjectDisposedException>(() => _ = l.Count);
        Assert.Throws<ObjectDisposedException>(() => m.List<int>());
        Assert.That(d.ToString(), Does.Contain("disposed"));
    }

    [Test, Platform("Linux", Reason = "inspects /dev/shm")]
    public void Dispose_Manager_RemovesEverySegment()
    {
        var before = OurShmEntries();
        var m = Multiprocessing.Manager();
        var d = m.Dict<int, int>();
        var l = m.List<int>();
        var v = m.Value(5);
        try
        {
            Assert.That(OurShmEntries().Except(before).ToList(), Has.Count.GreaterThanOrEqualTo(3));
            Assert.That((d.Count, l.Count, v.Value), Is.EqualTo((0, 0, 5)));
        }
        finally { m.Dispose(); }
        Assert.That(OurShmEntries().Except(before), Is.Empty);
    }

    [Test, Platform("Linux", Reason = "inspects /dev/shm")]
    public void CreatorSigkilled_CrashTrackerRemovesCollectionsWithin5s()
    {
        using var m = Multiprocessing.Manager();
        var names = m.List<string>();
        var child = Track(IpcProcess.Start(ManagerChildTargets.CreateAndHang, names));
        Assert.That(Eventually(() => names.Count == 2, ChildTimeout), Is.True, "the child created its collections");
        Assert.That(names.Select(n => File.Exists("/dev/shm/" + n)), Is.All.True);
        child.Kill();
        JoinOrFail(child);
        Assert.That(Eventually(() => names.All(n => !File.Exists("/dev/shm/" + n)), TimeSpan.FromSeconds(5)), Is.True,
            "the dead creator's collections are removed");
    }
}
