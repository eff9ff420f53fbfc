using System.Runtime.CompilerServices;

namespace NativeIpc;

/// <summary>A single value kept by a remote manager's server (<see cref="IpcManager.Value{T}(string, T)"/>).</summary>
/// <typeparam name="T">Value type; it crosses as <see cref="IpcSerializers.For{T}"/> bytes.</typeparam>
/// <remarks>Python: Manager().Value(typecode, value) (a ValueProxy)</remarks>
public sealed class ManagedValue<T>
{
    private readonly ISnapshotStore<StrongBox<T>> _store;
    private readonly IIpcSerializer<T> _serializer = IpcSerializers.For<T>();

    internal ManagedValue(IManagerLink link, string name, T initial, long capacity)
    {
        Name = name;
        _store = RemoteSnapshotStore<StrongBox<T>>.Open(link, ManagerObjectKind.Value, SharedSegment.TypeTag(typeof(T)), name, capacity, Decode);
        _store.Write(b => Has(b) ? (null, 0) : (new StrongBox<T>(initial), 0), Encode); // the first opener sets it
    }

    /// <summary>The name the value has on its manager.</summary>
    public string Name { get; }

    /// <summary>Gets or sets the value (one round trip each).</summary>
    /// <remarks>Python: v.value / v.value = x</remarks>
    public T Value
    {
        get => _store.Read().Value!;
        set => _store.Write(_ => (new StrongBox<T>(value), 0), Encode);
    }

    /// <summary>Atomically replaces the value with <c>update(current)</c> and returns the new value.
    /// <paramref name="update"/> runs in this process and may run again if another process changed the value first.</summary>
    /// <remarks>Python: <c>with lock: v.value = f(v.value)</c></remarks>
    public T Update(Func<T, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return _store.Write(b => { var next = update(b.Value!); return (new StrongBox<T>(next), next); }, Encode);
    }

    /// <inheritdoc/>
    public override string ToString() => $"ManagedValue<{typeof(T).Name}>({Name})";

    private static readonly StrongBox<T> s_unset = new();

    private static bool Has(StrongBox<T> b) => !ReferenceEquals(b, s_unset);

    private StrongBox<T> Decode(ReadOnlySpan<byte> entries, int count)
        => count == 0 ? s_unset : new StrongBox<T>(_serializer.Deserialize(new SnapshotReader(entries).Next()));

    private int Encode(StrongBox<T> next, SnapshotWriter w, ReadOnlySpan<byte> previous)
    {
        w.WritePart(_serializer, next.Value!);
        return 1;
    }
}
