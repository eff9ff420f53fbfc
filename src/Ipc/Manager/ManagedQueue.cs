namespace NativeIpc;

/// <summary>A FIFO queue kept by a remote manager's server (<see cref="IpcManager.Queue{T}(string)"/>): every process
/// connected to the manager that opens the same name puts to and gets from the same queue.</summary>
/// <typeparam name="T">Item type; items cross as <see cref="IpcSerializers.For{T}"/> bytes (the server never decodes them).</typeparam>
/// <remarks>Python: Manager().Queue() (a queue.Queue proxy)</remarks>
public sealed class ManagedQueue<T>
{
    private readonly IManagerLink _link;
    private readonly int _id;
    private readonly IIpcSerializer<T> _items = IpcSerializers.For<T>();

    internal ManagedQueue(IManagerLink link, string name)
    {
        _link = link;
        Name = name;
        _id = link.Open(ManagerObjectKind.Queue, SharedSegment.TypeTag(typeof(T)), 1, name);
    }

    /// <summary>The name the queue has on its manager.</summary>
    public string Name { get; }

    /// <summary>Appends <paramref name="item"/> (the queue has no bound).</summary>
    /// <exception cref="IpcPipeClosedException">The manager's server is gone.</exception>
    /// <remarks>Python: q.put(item)</remarks>
    public void Put(T item)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        _items.Serialize(item, buffer);
        _link.Call(ManagerMessage.Request(ManagerOp.QueuePut, _id).Bytes(buffer.WrittenSpan));
    }

    /// <summary>Removes and returns the oldest item, waiting on the server up to <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">The queue stayed empty (Python's queue.Empty).</exception>
    /// <exception cref="IpcPipeClosedException">The manager's server is gone (also while waiting).</exception>
    /// <remarks>Python: q.get(timeout=…)</remarks>
    public T Get(TimeSpan? timeout = null)
        => TryGet(out var item, timeout ?? Timeout.InfiniteTimeSpan) ? item : throw new TimeoutException($"The managed queue '{Name}' stayed empty for {timeout}.");

    /// <summary>Removes the oldest item if one comes within <paramref name="timeout"/> (default: now).</summary>
    /// <remarks>Python: q.get_nowait() / q.get(timeout=…) without the exception</remarks>
    public bool TryGet(out T item, TimeSpan timeout = default)
    {
        int ms = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        var r = new ManagerReader(_link.Call(ManagerMessage.Request(ManagerOp.QueueGet, _id).I32(ms)));
        if (!r.Bool())
        {
            item = default!;
            return false;
        }
        item = _items.Deserialize(r.Bytes());
        return true;
    }

    /// <summary>Items in the queue now.</summary>
    /// <remarks>Python: q.qsize()</remarks>
    public int Count => new ManagerReader(_link.Call(ManagerMessage.Request(ManagerOp.QueueCount, _id))).I32();

    /// <inheritdoc/>
    public override string ToString() => $"ManagedQueue<{typeof(T).Name}>({Name})";
}
