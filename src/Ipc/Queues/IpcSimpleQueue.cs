using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>The minimal shared queue: put, get, empty, close. Same ring as <see cref="IpcQueue{T}"/>, bounded by bytes only.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>Python: multiprocessing.SimpleQueue. The stream ends as <see cref="IpcQueue{T}"/>'s does: when every
/// process that held the queue called <see cref="Close"/> (or died), or at <see cref="Complete"/>.</remarks>
public sealed class IpcSimpleQueue<T> : IDisposable, ITransferable, IWaitableQueue
{
    static IpcSimpleQueue() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly QueueChannel<T> _channel;
    private readonly QueueHold _hold;

    /// <summary>Creates a simple queue with a ring of <paramref name="capacityBytes"/> bytes (default 1 MiB).</summary>
    /// <remarks>Python: multiprocessing.SimpleQueue()</remarks>
    public IpcSimpleQueue(int capacityBytes = QueueChannel<T>.DefaultCapacity)
        : this(QueueChannel<T>.Create(SegmentKind.SimpleQueue, capacityBytes, null, "IpcSimpleQueue"))
    {
    }

    private IpcSimpleQueue(QueueChannel<T> channel, bool preRegistered = false)
    {
        _channel = channel;
        try { _hold = new QueueHold(channel.Ring, preRegistered); }
        catch { channel.Dispose(); throw; }
    }

    /// <summary>Attaches to a simple queue created elsewhere, by its name.</summary>
    /// <exception cref="IpcSegmentMismatchException">The name belongs to something else, or to a queue of another item type.</exception>
    public static IpcSimpleQueue<T> Attach(string name) => new(QueueChannel<T>.Attach(name, SegmentKind.SimpleQueue, "IpcSimpleQueue"));

    // The parent counted this process as a holder when it spawned us (OnSentToChild).
    internal static IpcSimpleQueue<T> ReadTransfer(BinaryReader reader)
        => new(QueueChannel<T>.Attach(reader.ReadString(), SegmentKind.SimpleQueue, "IpcSimpleQueue"), preRegistered: true);

    void ITransferable.WriteTransfer(BinaryWriter writer) => writer.Write(Name);

    void ITransferable.OnSentToChild(int childPid) => _channel.Run(() => _hold.SendToChild(childPid));

    /// <summary>The shared segment's name.</summary>
    public string Name => _channel.Name;

    /// <summary>True when no item is waiting, approximately.</summary>
    /// <remarks>Python: SimpleQueue.empty()</remarks>
    public bool IsEmpty => !_channel.Read(static r => r.HasData);

    /// <summary>Puts an item, waiting for room at most <paramref name="timeout"/> (null: as long as it takes).</summary>
    /// <exception cref="IpcQueueClosedException">This process closed the queue, or the stream has ended.</exception>
    /// <exception cref="IpcQueueFullException">The queue stayed full for the whole timeout; nothing was put.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: SimpleQueue.put(obj)</remarks>
    public void Put(T item, TimeSpan? timeout = null)
    {
        _ = _channel.Ring; // ObjectDisposedException after Dispose
        _hold.ThrowIfReleased();
        if (!_channel.Put(item, WaitLimit.From(timeout))) throw new IpcQueueFullException();
    }

    /// <summary>Takes the next item, waiting at most <paramref name="timeout"/> (null: as long as it takes).</summary>
    /// <exception cref="IpcQueueClosedException">The queue is closed and drained.</exception>
    /// <exception cref="IpcQueueEmptyException">Nothing arrived within the timeout.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: SimpleQueue.get()</remarks>
    public T Get(TimeSpan? timeout = null)
    {
        return _channel.Take(WaitLimit.From(timeout), out var item) switch
        {
            TakeOutcome.Taken => item,
            TakeOutcome.Closed => throw new IpcQueueClosedException(),
            _ => throw new IpcQueueEmptyException(),
        };
    }

    /// <summary>Takes the next item without holding a thread while the queue is empty (woken by the producer's
    /// publish, as <see cref="Get"/> is).</summary>
    /// <param name="cancellationToken">Stops the wait; a cancelled call took nothing.</param>
    /// <exception cref="IpcQueueClosedException">The queue is closed and drained.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed while the wait was pending.</exception>
    /// <remarks>Python: SimpleQueue.get() (no asyncio equivalent)</remarks>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken = default)
    {
        var (outcome, item) = await QueueAsync.TakeAsync(_channel, cancellationToken).ConfigureAwait(false);
        return outcome == TakeOutcome.Taken ? item : throw new IpcQueueClosedException();
    }

    /// <summary>Puts an item without holding a thread while the queue is full (woken by a consumer's take).</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Stops the wait; a cancelled call put nothing.</param>
    /// <exception cref="IpcQueueClosedException">This process closed the queue, or the stream has ended.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <remarks>Python: SimpleQueue.put(obj) (no asyncio equivalent)</remarks>
    public ValueTask PutAsync(T item, CancellationToken cancellationToken = default)
    {
        _ = _channel.Ring; // ObjectDisposedException after Dispose
        _hold.ThrowIfReleased();
        return QueueAsync.PutAsync(_channel, item, cancellationToken);
    }

    /// <summary>Waits, without holding a thread, until an item can be taken (true) or the stream has ended and is
    /// drained (false).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <remarks>.NET: ChannelReader.WaitToReadAsync</remarks>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        => QueueAsync.WaitToReadAsync(_channel, cancellationToken);

    bool IWaitableQueue.IsReadyToRead => _channel.Ring.IsReadableAtHead || (_channel.Ring.HasEnded(checkLiveness: true) && !_channel.Ring.HasData);

    /// <summary>Says this process puts no more (puts through this object throw); when no process that could put is
    /// left, gets drain what is there, then throw <see cref="IpcQueueClosedException"/>.</summary>
    /// <remarks>Python: SimpleQueue.close()</remarks>
    public void Close() => _channel.Run(_hold.Release);

    /// <summary>Ends the stream for every process at once: puts throw, gets drain then throw <see cref="IpcQueueClosedException"/>.</summary>
    /// <remarks>.NET: ChannelWriter.Complete()</remarks>
    public void Complete() => _channel.Read(static r => { r.Complete(); return true; });

    /// <summary>Closes this object's hold (see <see cref="Close"/>) and unmaps the queue in this process once no call
    /// is using it; the creator also removes its name. A call blocked in another thread throws
    /// <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _channel.Dispose(_hold.Release);
    }
}
