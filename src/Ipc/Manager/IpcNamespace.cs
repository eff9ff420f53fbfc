namespace NativeIpc;

/// <summary>Named fields of any serializable types, shared through a manager: Python's <c>Manager().Namespace()</c>
/// (<c>ns.x = 1</c> becomes <c>ns.Set("x", 1)</c>). Each field keeps the type it was set with; reading it as another
/// type throws.</summary>
/// <remarks>Python: multiprocessing.managers.NamespaceProxy</remarks>
public sealed class IpcNamespace : IDisposable
{
    private const int TagSize = sizeof(uint);
    private readonly IpcDict<string, byte[]> _fields;

    internal IpcNamespace(IpcDict<string, byte[]> fields) => _fields = fields;

    /// <summary>Sets <paramref name="field"/> to <paramref name="value"/> (one atomic step).</summary>
    /// <remarks>Python: setattr(ns, field, value)</remarks>
    public void Set<T>(string field, T value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        System.Runtime.InteropServices.MemoryMarshal.Write(buffer.GetSpan(TagSize), SharedSegment.TypeTag(typeof(T)));
        buffer.Advance(TagSize);
        IpcSerializers.For<T>().Serialize(value, buffer);
        _fields[field] = buffer.WrittenSpan.ToArray();
    }

    /// <summary>The value of <paramref name="field"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such field (Python's AttributeError).</exception>
    /// <exception cref="IpcSerializationException">The field was set as another type.</exception>
    /// <remarks>Python: getattr(ns, field)</remarks>
    public T Get<T>(string field)
        => TryGet<T>(field, out var value) ? value : throw new KeyNotFoundException($"The namespace has no field '{field}'.");

    /// <summary>The value of <paramref name="field"/> if it is set.</summary>
    /// <exception cref="IpcSerializationException">The field was set as another type.</exception>
    /// <remarks>Python: getattr(ns, field, None)</remarks>
    public bool TryGet<T>(string field, out T value)
    {
        if (!_fields.TryGetValue(field, out var bytes))
        {
            value = default!;
            return false;
        }
        if (bytes.Length < TagSize || System.Runtime.InteropServices.MemoryMarshal.Read<uint>(bytes) != SharedSegment.TypeTag(typeof(T)))
            throw new IpcSerializationException($"The namespace field '{field}' was set as another type than {typeof(T).Name}.");
        value = IpcSerializers.For<T>().Deserialize(bytes.AsSpan(TagSize));
        return true;
    }

    /// <summary>Removes <paramref name="field"/>; returns whether it was set.</summary>
    /// <remarks>Python: delattr(ns, field)</remarks>
    public bool Remove(string field) => _fields.Remove(field);

    /// <summary>The names of the fields set, in the order they were first set.</summary>
    /// <remarks>Python: vars(ns).keys()</remarks>
    public IReadOnlyList<string> Fields => _fields.Keys;

    /// <summary>Releases this process's handle (a local namespace's memory goes with its manager).</summary>
    public void Dispose() => _fields.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"Namespace({string.Join(", ", _fields.Keys)})";
}
