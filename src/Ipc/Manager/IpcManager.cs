namespace NativeIpc;

/// <summary>Creates shared collections and owns them: disposing the manager disposes (and removes) every
/// collection it made. Python's <c>multiprocessing.Manager()</c>.</summary>
/// <remarks>
/// <para>Python's manager is a server process that holds the objects and answers every proxy call over a socket
/// (~100 µs a call, and a crash of the server loses everything). Here there is no server: each collection is a shared
/// segment the processes change directly, under a cross-process lock, with a double-buffered snapshot so that a
/// process killed mid-change leaves the last complete state. The price is a fixed byte capacity per collection
/// (<see cref="IpcCapacityExceededException"/> when full) and changes that cost O(size of the collection).</para>
/// <para>Python: multiprocessing.managers.SyncManager</para>
/// </remarks>
public sealed partial class IpcManager : IDisposable
{
    /// <summary>Default bytes of serialized entries per collection: 1 MiB.</summary>
    public const long DefaultCapacityBytes = 1 << 20;

    private readonly List<IDisposable> _owned = [];
    private bool _disposed;

    /// <summary>Creates a manager whose collections hold <paramref name="capacityBytes"/> bytes each unless told otherwise.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacityBytes"/> is not positive.</exception>
    /// <remarks>Python: multiprocessing.Manager()</remarks>
    public IpcManager(long capacityBytes = DefaultCapacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    /// <summary>Default capacity, in bytes of serialized entries, of the collections this manager creates.</summary>
    /// <remarks>Python: (no limit)</remarks>
    public long CapacityBytes { get; }

    /// <summary>Creates an empty shared dictionary.</summary>
    /// <param name="capacityBytes">Bytes of serialized entries it can hold; null: <see cref="CapacityBytes"/>.</param>
    /// <remarks>Python: Manager().dict()</remarks>
    public IpcDict<TKey, TValue> Dict<TKey, TValue>(long? capacityBytes = null) where TKey : notnull
        => _link is null ? Own(IpcDict<TKey, TValue>.Create(capacityBytes ?? CapacityBytes)) : Dict<TKey, TValue>(AnonymousName(), capacityBytes);

    /// <summary>Creates a shared dictionary holding <paramref name="items"/>.</summary>
    /// <remarks>Python: Manager().dict(mapping)</remarks>
    public IpcDict<TKey, TValue> Dict<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>> items, long? capacityBytes = null) where TKey : notnull
    {
        var dict = Dict<TKey, TValue>(capacityBytes);
        dict.Update(items);
        return dict;
    }

    /// <summary>Creates an empty shared list.</summary>
    /// <param name="capacityBytes">Bytes of serialized items it can hold; null: <see cref="CapacityBytes"/>.</param>
    /// <remarks>Python: Manager().list()</remarks>
    public IpcList<T> List<T>(long? capacityBytes = null)
        => _link is null ? Own(IpcList<T>.Create(capacityBytes ?? CapacityBytes)) : List<T>(AnonymousName(), capacityBytes);

    /// <summary>Creates a shared list holding <paramref name="items"/>.</summary>
    /// <remarks>Python: Manager().list(items)</remarks>
    public IpcList<T> List<T>(IEnumerable<T> items, long? capacityBytes = null)
    {
        var list = List<T>(capacityBytes);
        list.AddRange(items);
        return list;
    }

    /// <summary>Creates a shared value with its lock (<see cref="SharedValue{T}.GetLock"/>).</summary>
    /// <remarks>Python: Manager().Value(typecode, value)</remarks>
    public SharedValue<T> Value<T>(T initial) where T : unmanaged => Own(SharedValue<T>.Create(initial, withLock: true));

    /// <summary>Disposes every collection this manager created: their segments are removed; processes that attached
    /// keep their mappings until they dispose them.</summary>
    /// <remarks>Python: Manager.shutdown() / with Manager() as m:</remarks>
    public void Dispose()
    {
        IDisposable[] owned;
        lock (_owned)
        {
            if (_disposed) return;
            _disposed = true;
            owned = [.. _owned];
            _owned.Clear();
        }
        foreach (var o in owned) o.Dispose();
    }

    private T Own<T>(T obj) where T : IDisposable
    {
        lock (_owned)
        {
            if (!_disposed)
            {
                _owned.Add(obj);
                return obj;
            }
        }
        obj.Dispose();
        throw new ObjectDisposedException(nameof(IpcManager));
    }
}
