using System.Collections;
using System.Text;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A list shared between processes: Python's <c>Manager().list()</c>. Every process that has it (pass it to
/// an <see cref="IpcProcess"/> as an argument) sees the same items.</summary>
/// <typeparam name="T">Item type; items cross processes through <see cref="IpcSerializers.For{T}"/>.</typeparam>
/// <remarks>
/// <para>Stored like <see cref="IpcDict{TKey,TValue}"/>: a serialized snapshot in one shared segment of fixed byte
/// capacity, changed atomically under a cross-process lock, read lock-free with a per-process cache. A process killed
/// mid-change leaves the list as it was. Each call is atomic; a sequence of calls is not
/// (<c>l[0] = l[0] + 1</c> from two processes can lose an update). Items are copies, as with Python's proxies.
/// Safe to use from many threads.</para>
/// <para>Python: multiprocessing.managers.ListProxy (Manager().list())</para>
/// </remarks>
public sealed class IpcList<T> : IReadOnlyList<T>, IDisposable, ITransferable
{
    static IpcList() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private static readonly uint s_typeTag = SharedSegment.TypeTag(typeof(T));
    private readonly ISnapshotStore<List<T>> _store;
    private readonly IIpcSerializer<T> _items = IpcSerializers.For<T>();

    private IpcList(SnapshotSegment segment) => _store = new SnapshotStore<List<T>>(segment, Decode);

    /// <summary>Over another store (a remote manager's): <paramref name="open"/> gets this type's decoder.</summary>
    internal IpcList(Func<SnapshotStore<List<T>>.Decoder, ISnapshotStore<List<T>>> open) => _store = open(Decode);

    /// <summary>The type check a store of this collection carries (key and value types, or item type).</summary>
    internal static uint TypeTag => s_typeTag;

    /// <summary>Creates an empty shared list of <paramref name="capacityBytes"/> bytes of serialized items (each item
    /// costs its serialized size plus 4 bytes; the segment reserves twice this).</summary>
    /// <exception cref="IpcSerializationException"><typeparamref name="T"/> has no IPC serializer.</exception>
    /// <remarks>Python: Manager().list()</remarks>
    public static IpcList<T> Create(long capacityBytes = IpcManager.DefaultCapacityBytes)
    {
        _ = IpcSerializers.For<T>();
        return new IpcList<T>(SnapshotSegment.Create(SegmentKind.ManagedList, s_typeTag, capacityBytes));
    }

    /// <summary>Opens a shared list another process created.</summary>
    /// <exception cref="FileNotFoundException">No segment has that name.</exception>
    /// <exception cref="IpcSegmentMismatchException">The segment is not an IpcList of <typeparamref name="T"/>.</exception>
    /// <remarks>Python: (a ListProxy passed to a child process)</remarks>
    public static IpcList<T> Attach(string name)
        => new(SnapshotSegment.Attach(name, SegmentKind.ManagedList, s_typeTag, $"IpcList<{typeof(T).Name}>"));

    /// <summary>The segment name other processes attach with.</summary>
    /// <remarks>Python: (the proxy's token)</remarks>
    public string Name => _store.Name;

    /// <summary>Bytes of serialized items the list can hold.</summary>
    /// <remarks>Python: (no limit; the server's heap)</remarks>
    public long CapacityBytes => _store.Capacity;

    /// <summary>Gets or replaces the item at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such index.</exception>
    /// <exception cref="IpcCapacityExceededException">A set would exceed the capacity; nothing changed.</exception>
    /// <remarks>Python: l[i] / l[i] = x</remarks>
    public T this[int index]
    {
        get
        {
            var l = Data;
            return (uint)index < (uint)l.Count ? l[index] : throw OutOfRange(index, l.Count);
        }
        set => _store.Write(l =>
        {
            if ((uint)index >= (uint)l.Count) throw OutOfRange(index, l.Count);
            return (new List<T>(l) { [index] = value }, 0);
        }, (n, w, prev) => { w.WriteSpliced(prev, index, 1, x => x.WritePart(_items, value)); return n.Count; });
    }

    /// <summary>Number of items (a snapshot).</summary>
    /// <remarks>Python: len(l)</remarks>
    public int Count => Data.Count;

    /// <summary>Appends <paramref name="item"/>.</summary>
    /// <exception cref="IpcCapacityExceededException">The item does not fit; nothing changed.</exception>
    /// <remarks>Python: l.append(x)</remarks>
    public void Add(T item)
        => _store.Write(l => (new List<T>(l) { item }, 0), (n, w, prev) =>
        {
            w.WriteRaw(prev);
            w.WritePart(_items, item);
            return n.Count;
        });

    /// <summary>Appends <paramref name="items"/> in one atomic step.</summary>
    /// <exception cref="IpcCapacityExceededException">They do not fit; nothing changed.</exception>
    /// <remarks>Python: l.extend(items)</remarks>
    public void AddRange(IEnumerable<T> items)
    {
        T[] add = [.. items];
        _store.Write(l => add.Length == 0 ? (null, 0) : (new List<T>([.. l, .. add]), 0), (n, w, prev) =>
        {
            w.WriteRaw(prev);
            foreach (var item in add) w.WritePart(_items, item);
            return n.Count;
        });
    }

    /// <summary>Inserts <paramref name="item"/> before <paramref name="index"/> (<see cref="Count"/> appends).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or past the end.</exception>
    /// <exception cref="IpcCapacityExceededException">The item does not fit; nothing changed.</exception>
    /// <remarks>Python: l.insert(i, x)</remarks>
    public void Insert(int index, T item)
        => _store.Write(l =>
        {
            if ((uint)index > (uint)l.Count) throw OutOfRange(index, l.Count + 1);
            var next = new List<T>(l);
            next.Insert(index, item);
            return (next, 0);
        }, (n, w, prev) => { w.WriteSpliced(prev, index, 0, x => x.WritePart(_items, item)); return n.Count; });

    /// <summary>Removes the item at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such index.</exception>
    /// <remarks>Python: del l[i]</remarks>
    public void RemoveAt(int index)
        => _store.Write(l =>
        {
            if ((uint)index >= (uint)l.Count) throw OutOfRange(index, l.Count);
            var next = new List<T>(l);
            next.RemoveAt(index);
            return (next, 0);
        }, (n, w, prev) => { w.WriteSpliced(prev, index, 1, null); return n.Count; });

    /// <summary>Removes the first item equal to <paramref name="item"/>; returns whether there was one.</summary>
    /// <remarks>Python: l.remove(x) (which raises instead of returning false)</remarks>
    public bool Remove(T item)
    {
        int index = -1;
        return _store.Write(l =>
        {
            index = l.IndexOf(item);
            if (index < 0) return (null, false);
            var next = new List<T>(l);
            next.RemoveAt(index);
            return (next, true);
        }, (n, w, prev) => { w.WriteSpliced(prev, index, 1, null); return n.Count; });
    }

    /// <summary>Removes the item at <paramref name="index"/> (negative: from the end, as in Python) and returns it, in
    /// one atomic step.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such index (also: the list is empty).</exception>
    /// <remarks>Python: l.pop(i) (IndexError there)</remarks>
    public T Pop(int index = -1)
    {
        int at = -1;
        return _store.Write(l =>
        {
            at = index < 0 ? l.Count + index : index;
            if ((uint)at >= (uint)l.Count) throw OutOfRange(index, l.Count);
            var next = new List<T>(l);
            var item = next[at];
            next.RemoveAt(at);
            return (next, item);
        }, (n, w, prev) => { w.WriteSpliced(prev, at, 1, null); return n.Count; });
    }

    /// <summary>Number of items equal to <paramref name="item"/> (a snapshot).</summary>
    /// <remarks>Python: l.count(x)</remarks>
    public int CountOf(T item)
    {
        var cmp = EqualityComparer<T>.Default;
        int n = 0;
        foreach (var x in Data) if (cmp.Equals(x, item)) n++;
        return n;
    }

    /// <summary>Sorts the list in place, in one atomic step (a stable sort, as Python's).</summary>
    /// <param name="comparer">The order; null: <see cref="Comparer{T}.Default"/>. It runs under the list's
    /// cross-process lock: keep it short, and do not touch this list from it.</param>
    /// <param name="descending">Largest first (Python's <c>reverse=True</c>); equal items keep their order.</param>
    /// <remarks>Python: l.sort(key=..., reverse=...) (a key function becomes a comparer here)</remarks>
    public void Sort(IComparer<T>? comparer = null, bool descending = false)
    {
        var cmp = comparer ?? Comparer<T>.Default;
        _store.Write(l =>
        {
            // OrderBy is stable, List.Sort is not.
            var sorted = descending ? l.OrderByDescending(x => x, cmp).ToList() : l.OrderBy(x => x, cmp).ToList();
            return (sorted, 0);
        }, EncodeAll);
    }

    /// <summary>Reverses the list in place, in one atomic step.</summary>
    /// <remarks>Python: l.reverse()</remarks>
    public void Reverse()
        => _store.Write(l =>
        {
            if (l.Count < 2) return (null, 0);
            var next = new List<T>(l);
            next.Reverse();
            return (next, 0);
        }, EncodeAll);

    /// <summary>A private copy of the items in <c>[start, end)</c>, clamped to the list as Python slices are
    /// (negative bounds count from the end; null: the list's start or end).</summary>
    /// <remarks>Python: l[start:end]</remarks>
    public List<T> Slice(int? start, int? end)
    {
        var l = Data;
        var (from, to) = Clamp(start, end, l.Count);
        return l.GetRange(from, to - from);
    }

    /// <summary>Replaces the items in <c>[start, end)</c> (bounds as in <see cref="Slice"/>) with
    /// <paramref name="items"/>, in one atomic step; the list grows or shrinks as needed.</summary>
    /// <exception cref="IpcCapacityExceededException">The result does not fit; nothing changed.</exception>
    /// <remarks>Python: l[start:end] = items</remarks>
    public void SetSlice(int? start, int? end, IEnumerable<T> items)
    {
        T[] insert = [.. items];
        _store.Write(l =>
        {
            var (from, to) = Clamp(start, end, l.Count);
            var next = new List<T>(l.Count - (to - from) + insert.Length);
            next.AddRange(l.Take(from));
            next.AddRange(insert);
            next.AddRange(l.Skip(to));
            return (next, 0);
        }, EncodeAll);
    }

    /// <summary>Removes the items in <c>[start, end)</c> (bounds as in <see cref="Slice"/>), in one atomic step.</summary>
    /// <remarks>Python: del l[start:end]</remarks>
    public void RemoveSlice(int? start, int? end) => SetSlice(start, end, []);

    /// <summary>Repeats the whole list <paramref name="times"/> times in place, in one atomic step (0 or less empties it).</summary>
    /// <exception cref="IpcCapacityExceededException">The result does not fit; nothing changed.</exception>
    /// <remarks>Python: l *= n</remarks>
    public void Repeat(int times)
        => _store.Write(l =>
        {
            if (times == 1) return (null, 0);
            var next = new List<T>(Math.Max(0, l.Count * Math.Max(times, 0)));
            for (int i = 0; i < times; i++) next.AddRange(l);
            return (next, 0);
        }, EncodeAll);

    /// <summary>Python's slice clamping: negative bounds count from the end, anything past either end stops there.</summary>
    private static (int From, int To) Clamp(int? start, int? end, int count)
    {
        static int Fix(int v, int count) => v < 0 ? Math.Max(0, count + v) : Math.Min(v, count);
        int from = start is { } s ? Fix(s, count) : 0;
        int to = end is { } e ? Fix(e, count) : count;
        return (from, Math.Max(from, to));
    }

    /// <summary>Encodes every item of a reordered list (no splice of the previous bytes fits a reorder).</summary>
    private int EncodeAll(List<T> next, SnapshotWriter w, ReadOnlySpan<byte> previous)
    {
        foreach (var item in next) w.WritePart(_items, item);
        return next.Count;
    }

    /// <summary>Removes every item.</summary>
    /// <remarks>Python: l.clear()</remarks>
    public void Clear() => _store.Write(l => l.Count == 0 ? (null, 0) : (new List<T>(), 0), (_, _, _) => 0);

    /// <summary>Index of the first item equal to <paramref name="item"/>, or -1 (a snapshot).</summary>
    /// <remarks>Python: l.index(x) (which raises instead of returning -1)</remarks>
    public int IndexOf(T item) => Data.IndexOf(item);

    /// <summary>Whether an item equals <paramref name="item"/> (a snapshot).</summary>
    /// <remarks>Python: x in l</remarks>
    public bool Contains(T item) => Data.Contains(item);

    /// <summary>A private copy of the items.</summary>
    /// <remarks>Python: list(l) / l[:]</remarks>
    public List<T> ToList() => new(Data);

    /// <summary>Enumerates a snapshot: changes made meanwhile, by any process, are not seen and do not disturb it.</summary>
    /// <remarks>Python: iter(l)</remarks>
    public IEnumerator<T> GetEnumerator() => Data.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The items as <c>[a, b, ...]</c>.</summary>
    /// <remarks>Python: repr(l)</remarks>
    public override string ToString()
    {
        if (_store.IsDisposed) return $"IpcList<{typeof(T).Name}>(disposed)";
        var sb = new StringBuilder("[");
        foreach (var item in Data)
        {
            if (sb.Length > 1) sb.Append(", ");
            sb.Append(item);
        }
        return sb.Append(']').ToString();
    }

    /// <summary>Unmaps the list once no call is using it; the creator also removes its segment. A call blocked in
    /// another thread (a write waiting for the lock) throws <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Python: (proxies are released by garbage collection; Manager.shutdown() frees the object)</remarks>
    public void Dispose() => _store.Dispose();

    void ITransferable.WriteTransfer(BinaryWriter writer) => writer.Write(Name); // Name throws if disposed

    internal static IpcList<T> ReadTransfer(BinaryReader reader) => Attach(reader.ReadString());

    private List<T> Data => _store.Read();

    private static ArgumentOutOfRangeException OutOfRange(int index, int count)
        => new(nameof(index), index, $"The shared list has {count} items.");

    private List<T> Decode(ReadOnlySpan<byte> entries, int count)
    {
        var l = new List<T>(count);
        var r = new SnapshotReader(entries);
        for (int i = 0; i < count; i++) l.Add(_items.Deserialize(r.Next()));
        return l;
    }
}
