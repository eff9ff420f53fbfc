using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A dictionary shared between processes: Python's <c>Manager().dict()</c>. Every process that has it (pass
/// it to an <see cref="IpcProcess"/> as an argument) sees the same entries, in insertion order.</summary>
/// <typeparam name="TKey">Key type; keys and values cross processes through <see cref="IpcSerializers.For{T}"/>.</typeparam>
/// <typeparam name="TValue">Value type.</typeparam>
/// <remarks>
/// <para>The entries live in one shared segment of fixed byte capacity as a serialized snapshot. Each change is one
/// atomic step under a cross-process lock and serializes the snapshot anew; reads are lock-free and decode only when
/// some process changed the dictionary since this process last looked. A process killed in the middle of a change
/// leaves the dictionary as it was before that change.</para>
/// <para>Keys and values are copies, as with Python's proxies: changing an object read from the dictionary does not
/// change the dictionary; store it again. Safe to use from many threads.</para>
/// <para>As in Python, <c>d[k] = d[k] + 1</c> from two processes loses updates (a read, then a separate write): use
/// <see cref="AddOrUpdate"/>, which runs the update under the lock.</para>
/// <para>Python: multiprocessing.managers.DictProxy (Manager().dict())</para>
/// </remarks>
public sealed class IpcDict<TKey, TValue> : IReadOnlyDictionary<TKey, TValue>, IDisposable, ITransferable where TKey : notnull
{
    static IpcDict() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private static readonly uint s_typeTag = SharedSegment.TypeTag(typeof(TKey)) * 31 ^ SharedSegment.TypeTag(typeof(TValue)) | 1;
    private readonly ISnapshotStore<OrderedDictionary<TKey, TValue>> _store;
    private readonly IIpcSerializer<TKey> _keys = IpcSerializers.For<TKey>();
    private readonly IIpcSerializer<TValue> _values = IpcSerializers.For<TValue>();

    private IpcDict(SnapshotSegment segment) => _store = new SnapshotStore<OrderedDictionary<TKey, TValue>>(segment, Decode);

    /// <summary>Over another store (a remote manager's): <paramref name="open"/> gets this type's decoder.</summary>
    internal IpcDict(Func<SnapshotStore<OrderedDictionary<TKey, TValue>>.Decoder, ISnapshotStore<OrderedDictionary<TKey, TValue>>> open) => _store = open(Decode);

    /// <summary>The type check a store of this collection carries (key and value types, or item type).</summary>
    internal static uint TypeTag => s_typeTag;

    /// <summary>Creates an empty shared dictionary of <paramref name="capacityBytes"/> bytes of serialized entries
    /// (each entry costs its serialized key and value plus 8 bytes; the segment reserves twice this).</summary>
    /// <exception cref="IpcSerializationException">A type has no IPC serializer.</exception>
    /// <remarks>Python: Manager().dict()</remarks>
    public static IpcDict<TKey, TValue> Create(long capacityBytes = IpcManager.DefaultCapacityBytes)
    {
        _ = IpcSerializers.For<TKey>();
        _ = IpcSerializers.For<TValue>();
        return new IpcDict<TKey, TValue>(SnapshotSegment.Create(SegmentKind.ManagedDict, s_typeTag, capacityBytes));
    }

    /// <summary>Opens a shared dictionary another process created.</summary>
    /// <exception cref="FileNotFoundException">No segment has that name.</exception>
    /// <exception cref="IpcSegmentMismatchException">The segment is not an IpcDict of these key and value types.</exception>
    /// <remarks>Python: (a DictProxy passed to a child process)</remarks>
    public static IpcDict<TKey, TValue> Attach(string name)
        => new(SnapshotSegment.Attach(name, SegmentKind.ManagedDict, s_typeTag, $"IpcDict<{typeof(TKey).Name}, {typeof(TValue).Name}>"));

    /// <summary>The segment name other processes attach with.</summary>
    /// <remarks>Python: (the proxy's token)</remarks>
    public string Name => _store.Name;

    /// <summary>Bytes of serialized entries the dictionary can hold.</summary>
    /// <remarks>Python: (no limit; the server's heap)</remarks>
    public long CapacityBytes => _store.Capacity;

    /// <summary>Gets or sets the value of <paramref name="key"/>; setting adds the key if it is missing.</summary>
    /// <exception cref="KeyNotFoundException">Get of a missing key.</exception>
    /// <exception cref="IpcCapacityExceededException">A set would exceed the capacity; nothing changed.</exception>
    /// <remarks>Python: d[key] / d[key] = value</remarks>
    public TValue this[TKey key]
    {
        get => Data.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"The key '{key}' is not in the shared dictionary.");
        set => Set(key, value);
    }

    /// <summary>Number of entries (a snapshot).</summary>
    /// <remarks>Python: len(d)</remarks>
    public int Count => Data.Count;

    /// <summary>The keys, in insertion order (a snapshot).</summary>
    /// <remarks>Python: d.keys()</remarks>
    public IReadOnlyList<TKey> Keys => [.. Data.Keys];

    /// <summary>The values, in insertion order (a snapshot).</summary>
    /// <remarks>Python: d.values()</remarks>
    public IReadOnlyList<TValue> Values => [.. Data.Values];

    IEnumerable<TKey> IReadOnlyDictionary<TKey, TValue>.Keys => Keys;

    IEnumerable<TValue> IReadOnlyDictionary<TKey, TValue>.Values => Values;

    /// <summary>Adds <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is already present.</exception>
    /// <exception cref="IpcCapacityExceededException">The entry does not fit; nothing changed.</exception>
    /// <remarks>Python: (d[key] = value where key is new)</remarks>
    public void Add(TKey key, TValue value)
    {
        if (!TryAdd(key, value)) throw new ArgumentException($"The key '{key}' is already in the shared dictionary.", nameof(key));
    }

    /// <summary>Adds <paramref name="key"/> unless it is present; returns whether it was added.</summary>
    /// <exception cref="IpcCapacityExceededException">The entry does not fit; nothing changed.</exception>
    /// <remarks>Python: (if key not in d: d[key] = value), atomically</remarks>
    public bool TryAdd(TKey key, TValue value)
        => _store.Write(d => d.ContainsKey(key) ? (null, false) : (With(d, key, value), true),
                        (n, w, prev) => Append(n, w, prev, key, value));

    /// <summary>Returns the value of <paramref name="key"/>, first adding it with <paramref name="value"/> if missing.</summary>
    /// <exception cref="IpcCapacityExceededException">The entry does not fit; nothing changed.</exception>
    /// <remarks>Python: d.setdefault(key, value)</remarks>
    public TValue GetOrAdd(TKey key, TValue value)
        => _store.Write(d => d.TryGetValue(key, out var v) ? (null, v) : (With(d, key, value), value),
                        (n, w, prev) => Append(n, w, prev, key, value));

    /// <summary>Atomically sets <paramref name="key"/> to <paramref name="addValue"/> if missing, else to
    /// <c>update(key, current)</c>, and returns the value stored. <paramref name="update"/> runs under the dictionary's
    /// cross-process lock: keep it short, and do not touch this dictionary from it.</summary>
    /// <exception cref="IpcCapacityExceededException">The new value does not fit; nothing changed.</exception>
    /// <remarks>Python: <c>with lock: d[k] = d.get(k, add) ...</c> (Python's proxies have no atomic update)</remarks>
    public TValue AddOrUpdate(TKey key, TValue addValue, Func<TKey, TValue, TValue> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        int index = -1;
        TValue stored = addValue;
        return _store.Write(d =>
        {
            index = d.IndexOf(key);
            stored = index < 0 ? addValue : update(key, d.GetAt(index).Value);
            return (With(d, key, stored), stored);
        }, (n, w, prev) => index < 0 ? Append(n, w, prev, key, stored) : Replace(n, w, prev, index, key, stored));
    }

    /// <summary>Sets every key of <paramref name="items"/> in one atomic step (later duplicates win).</summary>
    /// <exception cref="IpcCapacityExceededException">They do not fit; nothing changed.</exception>
    /// <remarks>Python: d.update(items)</remarks>
    public void Update(IEnumerable<KeyValuePair<TKey, TValue>> items)
    {
        KeyValuePair<TKey, TValue>[] add = [.. items];
        _store.Write(d =>
        {
            if (add.Length == 0) return (null, 0);
            var next = new OrderedDictionary<TKey, TValue>(d);
            foreach (var (k, v) in add) next[k] = v;
            return (next, 0);
        }, (n, w, _) =>
        {
            foreach (var (k, v) in n)
            {
                w.WritePart(_keys, k);
                w.WritePart(_values, v);
            }
            return n.Count;
        });
    }

    /// <summary>Removes <paramref name="key"/>; returns whether it was present.</summary>
    /// <remarks>Python: d.pop(key, None) is not None</remarks>
    public bool Remove(TKey key) => Remove(key, out _);

    /// <summary>Removes <paramref name="key"/> and returns its value through <paramref name="value"/>.</summary>
    /// <remarks>Python: d.pop(key)</remarks>
    public bool Remove(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        int index = -1;
        var (removed, v) = _store.Write(d =>
        {
            index = d.IndexOf(key);
            if (index < 0) return (null, (false, default(TValue)));
            var next = new OrderedDictionary<TKey, TValue>(d);
            var old = next.GetAt(index).Value;
            next.RemoveAt(index);
            return (next, (true, old));
        }, (next, w, prev) => { w.WriteSpliced(prev, 2 * index, 2, null); return next.Count; });
        value = v!;
        return removed;
    }

    /// <summary>Removes the most recently inserted entry and returns it, in one atomic step; false when empty.</summary>
    /// <remarks>Python: d.popitem() (which raises KeyError when empty instead of returning false)</remarks>
    public bool TryPopItem(out KeyValuePair<TKey, TValue> item)
    {
        int index = -1;
        var (popped, kv) = _store.Write(d =>
        {
            if (d.Count == 0) return (null, (false, default(KeyValuePair<TKey, TValue>)));
            index = d.Count - 1;
            var next = new OrderedDictionary<TKey, TValue>(d);
            var last = next.GetAt(index);
            next.RemoveAt(index);
            return (next, (true, last));
        }, (next, w, prev) => { w.WriteSpliced(prev, 2 * index, 2, null); return next.Count; });
        item = kv;
        return popped;
    }

    /// <summary>Removes the most recently inserted entry and returns it, in one atomic step (last in, first out).</summary>
    /// <exception cref="KeyNotFoundException">The dictionary is empty.</exception>
    /// <remarks>Python: d.popitem()</remarks>
    public KeyValuePair<TKey, TValue> PopItem()
        => TryPopItem(out var item) ? item : throw new KeyNotFoundException("popitem(): the shared dictionary is empty.");

    /// <summary>Creates a shared dictionary holding every key of <paramref name="keys"/> with <paramref name="value"/>
    /// (later duplicates are ignored).</summary>
    /// <param name="keys">The keys, in insertion order.</param>
    /// <param name="value">The value every key gets.</param>
    /// <param name="capacityBytes">As for <see cref="Create"/>.</param>
    /// <exception cref="IpcCapacityExceededException">The entries do not fit the capacity.</exception>
    /// <remarks>Python: dict.fromkeys(keys, value) handed to Manager().dict(...)</remarks>
    public static IpcDict<TKey, TValue> FromKeys(IEnumerable<TKey> keys, TValue value, long capacityBytes = IpcManager.DefaultCapacityBytes)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var d = Create(capacityBytes);
        try
        {
            d.Update(keys.Distinct().Select(k => KeyValuePair.Create(k, value)));
            return d;
        }
        catch
        {
            d.Dispose();
            throw;
        }
    }

    /// <summary>Removes every entry.</summary>
    /// <remarks>Python: d.clear()</remarks>
    public void Clear() => _store.Write(d => d.Count == 0 ? (null, 0) : (new OrderedDictionary<TKey, TValue>(), 0), (_, _, _) => 0);

    /// <summary>Whether <paramref name="key"/> is present (a snapshot).</summary>
    /// <remarks>Python: key in d</remarks>
    public bool ContainsKey(TKey key) => Data.ContainsKey(key);

    /// <summary>Gets the value of <paramref name="key"/> if present (a snapshot).</summary>
    /// <remarks>Python: d.get(key)</remarks>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => Data.TryGetValue(key, out value);

    /// <summary>A private copy of the entries, in insertion order.</summary>
    /// <remarks>Python: dict(d) / d.copy()</remarks>
    public Dictionary<TKey, TValue> ToDictionary() => new(Data);

    /// <summary>Enumerates a snapshot: changes made meanwhile, by any process, are not seen and do not disturb it.</summary>
    /// <remarks>Python: iter(d.items())</remarks>
    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => Data.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The entries as <c>{key: value, ...}</c>.</summary>
    /// <remarks>Python: repr(d)</remarks>
    public override string ToString()
    {
        if (_store.IsDisposed) return $"IpcDict<{typeof(TKey).Name}, {typeof(TValue).Name}>(disposed)";
        var sb = new StringBuilder("{");
        foreach (var (k, v) in Data)
        {
            if (sb.Length > 1) sb.Append(", ");
            sb.Append(k).Append(": ").Append(v);
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Unmaps the dictionary once no call is using it; the creator also removes its segment. A call blocked
    /// in another thread (a write waiting for the lock) throws <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Python: (proxies are released by garbage collection; Manager.shutdown() frees the object)</remarks>
    public void Dispose() => _store.Dispose();

    void ITransferable.WriteTransfer(BinaryWriter writer) => writer.Write(Name); // Name throws if disposed

    internal static IpcDict<TKey, TValue> ReadTransfer(BinaryReader reader) => Attach(reader.ReadString());

    private OrderedDictionary<TKey, TValue> Data => _store.Read();

    private void Set(TKey key, TValue value)
    {
        int index = -1;
        _store.Write(d =>
        {
            index = d.IndexOf(key);
            return (With(d, key, value), 0);
        }, (n, w, prev) => index < 0 ? Append(n, w, prev, key, value) : Replace(n, w, prev, index, key, value));
    }

    private static OrderedDictionary<TKey, TValue> With(OrderedDictionary<TKey, TValue> d, TKey key, TValue value)
        => new(d) { [key] = value };

    private int Append(OrderedDictionary<TKey, TValue> next, SnapshotWriter w, ReadOnlySpan<byte> previous, TKey key, TValue value)
    {
        w.WriteRaw(previous);
        w.WritePart(_keys, key);
        w.WritePart(_values, value);
        return next.Count;
    }

    private int Replace(OrderedDictionary<TKey, TValue> next, SnapshotWriter w, ReadOnlySpan<byte> previous, int index, TKey key, TValue value)
    {
        w.WriteSpliced(previous, 2 * index, 2, x => { x.WritePart(_keys, key); x.WritePart(_values, value); });
        return next.Count;
    }

    private OrderedDictionary<TKey, TValue> Decode(ReadOnlySpan<byte> entries, int count)
    {
        var d = new OrderedDictionary<TKey, TValue>(count);
        var r = new SnapshotReader(entries);
        for (int i = 0; i < count; i++)
        {
            var key = _keys.Deserialize(r.Next());
            d.Add(key, _values.Deserialize(r.Next()));
        }
        return d;
    }
}
