using NUnit.Framework;
using T = NativeIpc.Tests.Parity.GapFillTargets;

namespace NativeIpc.Tests.Parity;

/// <summary>Issue 17's gap fills (not ports): manager list/dict operations as single atomic steps, Value/Array with an
/// existing lock across processes.</summary>
[TestFixture]
public class GapFillTests : ParityFixture
{
    [Test, Description("Gap fill: IpcList.Pop is one atomic step: two processes popping from one list take every item exactly once.")]
    public void IpcList_PopFromTwoProcesses_TakesEveryItemOnce()
    {
        using var list = IpcList<int>.Create();
        list.AddRange(Enumerable.Range(0, 400));
        using var seen = Multiprocessing.Queue<int>();
        var a = Track(IpcProcess.Start(T.PopMany, list, seen, 200));
        var b = Track(IpcProcess.Start(T.PopMany, list, seen, 200));
        var popped = Enumerable.Range(0, 400).Select(_ => seen.Get(ShortTimeout)).ToList();
        JoinOk(a);
        JoinOk(b);
        Assert.That(popped.Order(), Is.EqualTo(Enumerable.Range(0, 400)));
        Assert.That(list.Count, Is.EqualTo(0));
    }

    [Test, Description("Gap fill: IpcList.Pop with Python's indexes (negative from the end), and on an empty list.")]
    public void IpcList_Pop_PythonIndexes()
    {
        using var list = IpcList<int>.Create();
        list.AddRange([10, 20, 30, 40]);
        Assert.That(list.Pop(), Is.EqualTo(40));
        Assert.That(list.Pop(0), Is.EqualTo(10));
        Assert.That(list.Pop(-2), Is.EqualTo(20));
        Assert.That(list.ToList(), Is.EqualTo(new[] { 30 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => list.Pop(1));
        list.Pop();
        Assert.Throws<ArgumentOutOfRangeException>(() => list.Pop());
    }

    [Test, Description("Gap fill: IpcList Sort (stable, ascending and descending, with a comparer), Reverse, CountOf.")]
    public void IpcList_SortReverseCountOf()
    {
        using var list = IpcList<string>.Create();
        list.AddRange(["pear", "Apple", "fig", "apple", "kiwi"]);
        list.Sort(StringComparer.OrdinalIgnoreCase);
        Assert.That(list.ToList(), Is.EqualTo(new[] { "Apple", "apple", "fig", "kiwi", "pear" })); // stable: Apple first
        list.Sort(StringComparer.OrdinalIgnoreCase, descending: true);
        Assert.That(list.ToList(), Is.EqualTo(new[] { "pear", "kiwi", "fig", "Apple", "apple" }));
        list.Reverse();
        Assert.That(list.ToList(), Is.EqualTo(new[] { "apple", "Apple", "fig", "kiwi", "pear" }));
        list.Add("fig");
        Assert.That(list.CountOf("fig"), Is.EqualTo(2));
        Assert.That(list.CountOf("plum"), Is.EqualTo(0));
    }

    [Test, Description("Gap fill: IpcList slicing as Python clamps it: Slice, SetSlice (grow and shrink), RemoveSlice, Repeat.")]
    public void IpcList_Slicing()
    {
        using var list = IpcList<int>.Create();
        list.AddRange(Enumerable.Range(0, 6));
        Assert.That(list.Slice(1, 3), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(list.Slice(-2, null), Is.EqualTo(new[] { 4, 5 }));
        Assert.That(list.Slice(4, 100), Is.EqualTo(new[] { 4, 5 }));
        Assert.That(list.Slice(5, 2), Is.Empty);
        list.SetSlice(1, 3, [7, 8, 9]);
        Assert.That(list.ToList(), Is.EqualTo(new[] { 0, 7, 8, 9, 3, 4, 5 }));
        list.SetSlice(null, 2, []);
        Assert.That(list.ToList(), Is.EqualTo(new[] { 8, 9, 3, 4, 5 }));
        list.RemoveSlice(-2, null);
        Assert.That(list.ToList(), Is.EqualTo(new[] { 8, 9, 3 }));
        list.Repeat(2);
        Assert.That(list.ToList(), Is.EqualTo(new[] { 8, 9, 3, 8, 9, 3 }));
        list.Repeat(0);
        Assert.That(list.ToList(), Is.Empty);
    }

    [Test, Description("Gap fill: IpcDict.PopItem takes the last inserted entry (LIFO, as Python's popitem) and throws on an empty dictionary; a child popping sees every entry once.")]
    public void IpcDict_PopItem()
    {
        using var dict = IpcDict<int, int>.Create();
        dict[1] = 10;
        dict[2] = 20;
        dict[3] = 30;
        Assert.That(dict.PopItem(), Is.EqualTo(KeyValuePair.Create(3, 30)));
        Assert.That(dict.Keys, Is.EqualTo(new[] { 1, 2 }));
        using var seen = Multiprocessing.Queue<int>();
        var p = Track(IpcProcess.Start(T.PopItems, dict, seen));
        seen.Close();
        Assert.That(seen.GetConsumingEnumerable().ToList(), Is.EqualTo(new[] { 2, 1 }));
        JoinOk(p);
        Assert.Throws<KeyNotFoundException>(() => dict.PopItem());
        Assert.That(dict.TryPopItem(out _), Is.False);
    }

    [Test, Description("Gap fill: IpcDict.FromKeys (Python's dict.fromkeys handed to the manager).")]
    public void IpcDict_FromKeys()
    {
        using var dict = IpcDict<string, int>.FromKeys(["a", "b", "a", "c"], 7);
        Assert.That(dict.Keys, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(dict.Values, Is.EqualTo(new[] { 7, 7, 7 }));
    }

    [Test, Description("Gap fill: Value(lock=existing) — the lock travels with the value to a child, which holds the very lock the parent sees held.")]
    public void SharedValue_WithExistingLock_IsTheChildsLockToo()
    {
        using var @lock = Multiprocessing.RLock();
        using var value = Multiprocessing.Value(0, @lock);
        using var held = Multiprocessing.Event();
        using var release = Multiprocessing.Event();
        var p = Track(IpcProcess.Start(T.HoldValueLock, value, held, release));
        Assert.That(held.Wait(ShortTimeout), Is.True);
        Assert.That(@lock.IsLocked, Is.True);
        Assert.That(@lock.TryAcquire(TimeSpan.FromMilliseconds(100)), Is.False);
        release.Set();
        JoinOk(p);
        Assert.That(@lock.IsLocked, Is.False);
        Assert.That(value.Value, Is.EqualTo(42));
        value.Dispose();
        Assert.That(@lock.TryAcquire(), Is.True, "disposing the value must not dispose the caller's lock");
        @lock.Release();
    }

    [Test, Description("Gap fill: Value(lock=existing) — a child passes the value on, and the grandchild still gets the caller's lock.")]
    public void SharedValue_WithExistingLock_TravelsToGrandchildren()
    {
        using var @lock = Multiprocessing.RLock();
        using var value = Multiprocessing.Value(0, @lock);
        using var held = Multiprocessing.Event();
        using var release = Multiprocessing.Event();
        var p = Track(IpcProcess.Start(T.HoldValueLockInGrandchild, value, held, release));
        Assert.That(held.Wait(ShortTimeout), Is.True);
        Assert.That(@lock.IsLocked, Is.True);
        release.Set();
        JoinOk(p);
        Assert.That(value.Value, Is.EqualTo(42));
    }

    [Test, Description("Gap fill: Array(lock=existing) — the same for an array, and one lock shared by a value and an array.")]
    public void SharedArray_WithExistingLock_IsTheChildsLockToo()
    {
        using var @lock = Multiprocessing.RLock();
        using var array = Multiprocessing.Array([1, 2, 3], @lock);
        using var value = Multiprocessing.Value(0, @lock);
        Assert.That(value.GetLock(), Is.SameAs(array.GetLock()));
        using var held = Multiprocessing.Event();
        using var release = Multiprocessing.Event();
        var p = Track(IpcProcess.Start(T.HoldArrayLock, array, held, release));
        Assert.That(held.Wait(ShortTimeout), Is.True);
        Assert.That(@lock.IsLocked, Is.True);
        release.Set();
        JoinOk(p);
        Assert.That(array[0], Is.EqualTo(42));
        Assert.That(@lock.IsLocked, Is.False);
    }

    [Test, Description("Poll peeks (issue 17): receives pending on one end all wake for a message; those that lose the race for it wait for the next instead of failing with TimeoutException.")]
    public async Task RecvAsync_ManyPendingOnOneEnd_EachGetsOneMessage()
    {
        const int Receivers = 16, Rounds = 5;
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            for (int round = 0; round < Rounds; round++)
            {
                var pending = Enumerable.Range(0, Receivers).Select(_ => a.RecvAsync<int>()).ToList();
                await Task.Delay(20);
                for (int i = 0; i < Receivers; i++) b.Send(i);
                var values = await Task.WhenAll(pending).WaitAsync(ShortTimeout);
                Assert.That(values.Order(), Is.EqualTo(Enumerable.Range(0, Receivers)), $"round {round}");
            }
        }
    }
}
