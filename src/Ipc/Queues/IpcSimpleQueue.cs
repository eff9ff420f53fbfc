using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>The minimal shared queue: put, get, empty, close. Same ring as <see cref="IpcQueue{T}"/>, bounded by bytes only.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>Python: multiprocessing.SimpleQueue</remarks>
public sealed class IpcSimpleQueue<T> : IDisposable, ITransferable
{
    static IpcSimpleQueue() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly QueueChannel<T> _channel;

    /// <summary>Creates a simple queue with a ring of <paramref name="capacityBytes"/> bytes (default 1 MiB).</summary>
    /// <remarks>Python: multiprocessing.SimpleQueue()</remarks>
    public IpcSimpleQueue(int capacityBytes = QueueChannel<T>.DefaultCapacity)
        => _channel = QueueChannel<T>.Create(SegmentKind.SimpleQueue, capacityBytes, null, "IpcSimpleQueue");

    private IpcSimpleQueue(QueueChannel<T> channel) => _channel = channel;

    /// <summary>Attaches to a simple queue created elsewhere, by its name.</summary>
    /// <exception cref="IpcSegmentMismatchException">The name belongs to something else, or to a queue of another item type.</exception>
    public static IpcSimpleQueue<T> Attach(string name) => new(QueueChannel<T>.Attach(name, SegmentKind.SimpleQueue, "IpcSimpleQueue"));

    internal static IpcSimpleQueue<T> ReadTransfer(BinaryReader reader) => Attach(reader.ReadString());

    void ITransferable.WriteTransfer(BinaryWriter writer) => writer.Write(Name);

    /// <summary>The shared segment's name.</summary>
    public string Name => _channel.Name;

    /// <summary>True when no item is waiting, approximately.</summary>
    /// <remarks>Python: SimpleQueue.empty()</remarks>
    public bool IsEmpty => !_channel.Ring.HasData;

    /// <summary>Puts an item, waiting for room at most <paramref name="timeout"/> (null: as long as it takes).</summary>
    /// <exception cref="IpcQueueClosedException">The queue is closed.</exception>
    /// <exception cref="IpcQueueFullException">The queue stayed full for the whole timeout; nothing was put.</exception>
    /// <remarks>Python: SimpleQueue.put(obj)</remarks>
    public void Put(T item, TimeSpan? timeout = null)
    {
        if (!_channel.Put(item, QueueRing.Deadline(timeout))) throw new IpcQueueFullException();
    }

    /// <summary>Takes the next item, waiting at most <paramref name="timeout"/> (null: as long as it takes).</summary>
    /// <exception cref="IpcQueueClosedException">The queue is closed and drained.</exception>
    /// <exception cref="IpcQueueEmptyException">Nothing arrived within the timeout.</exception>
    /// <remarks>Python: SimpleQueue.get()</remarks>
    public T Get(TimeSpan? timeout = null)
    {
        return _channel.Take(QueueRing.Deadline(timeout), out var item) switch
        {
            TakeOutcome.Taken => item,
            TakeOutcome.Closed => throw new IpcQueueClosedException(),
            _ => throw new IpcQueueEmptyException(),
        };
    }

    /// <summary>Ends the stream for every process: puts throw, gets drain then throw <see cref="IpcQueueClosedException"/>.</summary>
    /// <remarks>Python: SimpleQueue.close()</remarks>
    public void Close() => _channel.Ring.Close();

    /// <summary>Unmaps the queue in this process; the creator also removes its name.</summary>
    public void Dispose() => _channel.Dispose();
}
