using NUnit.Framework;

namespace NativeIpc.Tests.Parity;

/// <summary>Ported from CPython's <c>_TestContainers</c> (manager list and dict proxies): <see cref="IpcList{T}"/> and
/// <see cref="IpcDict{TKey,TValue}"/>. Items are typed copies, so proxies nested in containers have no equivalent.</summary>
[TestFixture]
public class ContainerParityTests : ParityFixture
{
    private IpcManager _manager = null!;

    [SetUp]
    public void StartManager() => _manager = Multiprocessing.Manager();

    [TearDown]
    public void StopManager() => _manager.Dispose();

    [Test, Description("Python: _TestContainers.test_list (pins IpcList.Slice and Repeat). Difference: a list of lists holds copies (Python: proxies that see later changes), and a typed list cannot take 'hello' among ints.")]
    public void TestContainers_List()
    {
        var a = _manager.List(Enumerable.Range(0, 10));
        Assert.That(a.ToList(), Is.EqualTo(Enumerable.Range(0, 10)));

        var b = _manager.List<int>();
        Assert.That(b.ToList(), Is.Empty);

        b.AddRange(Enumerable.Range(0, 5));
        Assert.That(b.ToList(), Is.EqualTo(Enumerable.Range(0, 5)));

        Assert.That(b[2], Is.EqualTo(2));
        Assert.That(b.Slice(2, 10), Is.EqualTo(new[] { 2, 3, 4 }));

        b.Repeat(2); // b *= 2
        Assert.That(b.ToList(), Is.EqualTo(new[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 }));

        Assert.That((int[])[.. b, 5, 6], Is.EqualTo(new[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6 })); // b + [5, 6]

        Assert.That(a.ToList(), Is.EqualTo(Enumerable.Range(0, 10)));

        var e = _manager.List<List<int>>([a.ToList(), b.ToList()]); // d = [a, b]; e = self.list(d)
        Assert.That(e.ToList(), Is.EqualTo(new List<List<int>> { new() { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, new() { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 } }));

        var f = _manager.List<List<int>>([a.ToList()]);
        a.Add(10); // a.append('hello'): the difference: f[0] is a copy
        Assert.That(f[0], Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(a.ToList(), Is.EqualTo(Enumerable.Range(0, 11)));
    }

    /// <summary>Python's MutableSequence / MutableMapping method names and their NativeIpc members.</summary>
    private static void AssertMembers(Type type, (string Python, string Member)[] methods)
    {
        foreach (var (python, member) in methods)
            Assert.That(type.GetMember(member), Is.Not.Empty, $"{python} -> {type.Name}.{member}");
    }

    [Test, Description("Python: _TestContainers.test_list_isinstance (pins Pop, CountOf, Reverse). Difference: IpcList is an IReadOnlyList<T> with mutating members, not an IList<T> (whose index-then-act idioms are not atomic across processes).")]
    public void TestContainers_ListIsinstance()
    {
        using var a = _manager.List<int>();
        Assert.That(a, Is.InstanceOf<IReadOnlyList<int>>());
        AssertMembers(a.GetType(),
        [
            ("__contains__", "Contains"), ("__delitem__", "RemoveAt"), ("__getitem__", "Item"), ("__iadd__", "AddRange"),
            ("__len__", "Count"), ("__reversed__", "Reverse"), ("__setitem__", "Item"), ("append", "Add"), ("clear", "Clear"),
            ("count", "CountOf"), ("extend", "AddRange"), ("index", "IndexOf"), ("insert", "Insert"), ("pop", "Pop"),
            ("remove", "Remove"), ("reverse", "Reverse"),
        ]);
    }

    [Test, Description("Python: _TestContainers.test_list_iter. Difference: an enumerator is a snapshot: a change made while enumerating is not seen (Python's ListProxy iterates by index and sees a[0] = 100).")]
    public void TestContainers_ListIter()
    {
        var a = _manager.List(Enumerable.Range(0, 10));
        using var it = a.GetEnumerator();
        var all = new List<int>();
        while (it.MoveNext()) all.Add(it.Current);
        Assert.That(all, Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(it.MoveNext(), Is.False); // exhausted
        using var it2 = a.GetEnumerator();
        a[0] = 100;
        Assert.That(it2.MoveNext(), Is.True);
        Assert.That(it2.Current, Is.EqualTo(0)); // Python: 100
        Assert.That(a[0], Is.EqualTo(100));
    }

    [Test, Description("Python: _TestContainers.test_dict.")]
    public void TestContainers_Dict()
    {
        var d = _manager.Dict<int, string>();
        int[] indices = [.. Enumerable.Range(65, 5)];
        foreach (int i in indices) d[i] = ((char)i).ToString();
        Assert.That(d.ToDictionary(), Is.EqualTo(indices.ToDictionary(i => i, i => ((char)i).ToString())));
        Assert.That(d.Keys.Order(), Is.EqualTo(indices));
        Assert.That(d.Values.Order(), Is.EqualTo(indices.Select(i => ((char)i).ToString())));
        Assert.That(d.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)), Is.EqualTo(indices.Select(i => (i, ((char)i).ToString()))));
    }

    [Test, Description("Python: _TestContainers.test_dict_isinstance (pins PopItem). Difference: IpcDict is an IReadOnlyDictionary with mutating members, not an IDictionary; get is TryGetValue, setdefault GetOrAdd, pop Remove(key, out value).")]
    public void TestContainers_DictIsinstance()
    {
        using var a = _manager.Dict<int, int>();
        Assert.That(a, Is.InstanceOf<IReadOnlyDictionary<int, int>>());
        AssertMembers(a.GetType(),
        [
            ("__contains__", "ContainsKey"), ("__delitem__", "Remove"), ("__eq__", "Equals"), ("__getitem__", "Item"),
            ("__iter__", "GetEnumerator"), ("__len__", "Count"), ("__ne__", "Equals"), ("__setitem__", "Item"), ("clear", "Clear"),
            ("get", "TryGetValue"), ("items", "ToDictionary"), ("keys", "Keys"), ("pop", "Remove"), ("popitem", "PopItem"),
            ("setdefault", "GetOrAdd"), ("update", "Update"), ("values", "Values"),
        ]);
    }

    [Test, Description("Python: _TestContainers.test_dict_iter. Difference: an enumerator is a snapshot: clearing the dictionary meanwhile does not break it (Python raises RuntimeError: dictionary changed size during iteration).")]
    public void TestContainers_DictIter()
    {
        var d = _manager.Dict<int, string>();
        int[] indices = [.. Enumerable.Range(65, 5)];
        foreach (int i in indices) d[i] = ((char)i).ToString();
        using var it = d.GetEnumerator();
        var keys = new List<int>();
        while (it.MoveNext()) keys.Add(it.Current.Key);
        Assert.That(keys, Is.EqualTo(indices));
        Assert.That(it.MoveNext(), Is.False); // exhausted
        using var it2 = d.GetEnumerator();
        d.Clear();
        Assert.That(it2.MoveNext(), Is.True);
        Assert.That(it2.Current.Key, Is.EqualTo(65));
        Assert.That(d.Count, Is.EqualTo(0));
    }
}
