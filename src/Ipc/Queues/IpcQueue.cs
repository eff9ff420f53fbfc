using System.Runtime.CompilerServices;
using System.Threading.Channels;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A first-in first-out queue shared by processes: any number of producers and consumers, in this process
/// or in children it is passed to. Items live in one shared-memory ring (no feeder thread, no pipe, no pickling of
/// unmanaged values); a put to a queue nobody waits on makes no system call.</summary>
/// <typeparam name="T">The item type: unmanaged values are copied raw; <see cref="string"/>, arrays and other types
/// go through <see cref="IpcSerializers.For{T}"/>.</typeparam>
/// <remarks>
/// <para>Python: multiprocessing.Queue. The stream ends like a pipe's: every process that has the queue (its creator,
/// processes that attached it, children it was passed to — counted from their spawn) may put until it calls
/// <see cref="Close"/> (Python's <c>close()</c>: "this process puts no more"), disposes it, or dies; once none is
/// left, consumers drain what is there and then see the end (<see cref="IpcQueueClosedException"/>, consuming
/// enumerables finish) — no <c>None</c> sentinel needed. A process that only consumes should call <see cref="Close"/>
/// first, as it would close an unused pipe end. <see cref="Complete"/> ends the stream for everyone at once, and
/// <see cref="Shutdown"/> (Python 3.13's <c>Queue.shutdown</c>) does too, with Python's
/// <see cref="IpcQueueShutDownException"/> and, if asked, discarding what is queued.</para>
/// <para>A process killed in the middle of a put or get never corrupts or blocks the queue: a half-written item is
/// skipped (and not counted), a half-taken one is lost alone.</para>
/// <para>Messages larger than the ring still go through, whole and in order.</para>
/// </remarks>
/// <example><code>
/// using var q = new IpcQueue&lt;int&gt;();
/// using var p = IpcProcess.Start(static (IpcQueue&lt;int&gt; q) =&gt; q.Put(42), q);
/// Console.WriteLine(q.Get()); // 42
/// </code></example>
public class IpcQueue<T> : IDisposable, ITransferable, IWaitableQueue
{
    static IpcQueue() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly QueueChannel<T> _channel;
    private readonly QueueHold _hold;

    /// <summary>Creates a queue.</summary>
    /// <param name="capacityBytes">Size of the shared ring in bytes (rounded up to a power of two; default 1 MiB).
    /// Each item takes its encoded size plus a 16-byte header, rounded up to 16.</param>
    /// <param name="maxItems">Most items the queue holds before <see cref="Put"/> blocks; null: bounded by bytes only.</param>
    /// <remarks>Python: multiprocessing.Queue(maxsize)</remarks>
    public IpcQueue(int capacityBytes = QueueChannel<T>.DefaultCapacity, int? maxItems = null)
        : this(QueueChannel<T>.Create(SegmentKind.Queue, capacityBytes, maxItems, "IpcQueue"))
    {
    }

    private protected IpcQueue(QueueChannel<T> channel, bool preRegistered = false)
    {
        _channel = channel;
        try { _hold = new QueueHold(channel.Ring, preRegistered); }
        catch { channel.Dispose(); throw; }
    }

    private protected QueueChannel<T> Channel => _channel;

    /// <summary>Attaches to a queue created elsewhere, by its <see cref="Name"/>.</summary>
    /// <exception cref="IpcSegmentMismatchException">The name belongs to something else, or to a queue of another item type.</exception>
    public static IpcQueue<T> Attach(string name) => new(QueueChannel<T>.Attach(name, SegmentKind.Queue, "IpcQueue"));

    /// <summary>Puts need the queue mapped and this object's hold (not <see cref="Close"/>d).</summary>
    private void EnsureCanPut()
    {
        _ = _channel.Ring; // ObjectDisposedException after Dispose
        _hold.ThrowIfReleased();
    }

    // The parent counted this process as a holder when it spawned us (OnSentToChild).
    internal static IpcQueue<T> ReadTransfer(BinaryReader reader)
        => new(QueueChannel<T>.Attach(reader.ReadString(), SegmentKind.Queue, "IpcQueue"), preRegistered: true);

    void ITransferable.WriteTransfer(BinaryWriter writer) => writer.Write(Name);

    void ITransferable.OnSentToChild(int childPid) => _channel.Run(() => _hold.SendToChild(childPid));

    /// <summary>The shared segment's name: pass it to <see cref="Attach"/> in another process.</summary>
    public string Name => _channel.Name;

    /// <summary>Size of the ring in bytes.</summary>
    public int CapacityBytes => _channel.CapacityBytes;

    /// <summary>Items put and not yet taken, approximately (other processes change it while you look).</summary>
    /// <remarks>Python: Queue.qsize()</remarks>
    public int Count => (int)Math.Min(int.MaxValue, _channel.Read(static r => r.Count));

    /// <summary>True when no item is waiting, approximately.</summary>
    /// <remarks>Python: Queue.empty()</remarks>
    public bool IsEmpty => !_channel.Read(static r => r.HasData);

    /// <summary>True when a small item would not fit now, approximately.</summary>
    /// <remarks>Python: Queue.full()</remarks>
    public bool IsFull => _channel.Read(static r => r.IsFull);

    /// <summary>True once the stream has ended: <see cref="Complete"/> or <see cref="Shutdown"/> was called, or every
    /// process that held the queue closed it (a holder that died is noticed by the next consumer that waits).</summary>
    public bool IsClosed => _channel.Read(static r => r.IsClosed);

    /// <summary>True once <see cref="Shutdown"/> was called, in any process.</summary>
    /// <remarks>Python: Queue.is_shutdown (3.13)</remarks>
    public bool IsShutDown => _channel.IsShutDown;

    /// <summary>Puts an item, waiting for room up to <paramref name="timeout"/> (null: no limit).</summary>
    /// <exception cref="IpcQueueFullException">No room within the timeout.</exception>
    /// <exception cref="IpcQueueClosedException">This process closed the queue, or the stream has ended.</exception>
    /// <exception cref="IpcQueueShutDownException">The queue was shut down (<see cref="Shutdown"/>, in any process; also
    /// while this call waited for room).</exception>
    /// <exception cref="IpcSerializationException">The item could not be serialized; nothing was enqueued.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Queue.put(obj, block=True, timeout=None)</remarks>
    public void Put(T item, TimeSpan? timeout = null)
    {
        EnsureCanPut();
        if (!_channel.Put(item, WaitLimit.From(timeout))) throw new IpcQueueFullException();
    }

    /// <summary>Puts an item if there is room now.</summary>
    /// <returns>False when the queue is full.</returns>
    /// <remarks>Python: Queue.put_nowait (returning instead of raising)</remarks>
    public bool TryPut(T item)
    {
        EnsureCanPut();
        return _channel.Put(item, WaitLimit.Zero);
    }

    /// <summary>Puts an item if there is room now.</summary>
    /// <exception cref="IpcQueueFullException">The queue is full.</exception>
    /// <remarks>Python: Queue.put_nowait</remarks>
    public void PutNowait(T item)
    {
        if (!TryPut(item)) throw new IpcQueueFullException();
    }

    /// <summary>Puts every item in order, each waiting for room as <see cref="Put"/> does.</summary>
    public void PutMany(ReadOnlySpan<T> items, TimeSpan? timeout = null)
    {
        EnsureCanPut();
        var deadline = Deadline.From(timeout); // one deadline for all the items
        foreach (var item in items)
            if (!_channel.Put(item, WaitLimit.Until(deadline))) throw new IpcQueueFullException();
    }

    /// <summary>Puts every item in order, each waiting for room as <see cref="Put"/> does.</summary>
    public void PutMany(IEnumerable<T> items, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        EnsureCanPut();
        var deadline = Deadline.From(timeout); // one deadline for all the items
        foreach (var item in items)
            if (!_channel.Put(item, WaitLimit.Until(deadline))) throw new IpcQueueFullException();
    }

    /// <summary>Takes the next item, waiting up to <paramref name="timeout"/> (null: no limit).</summary>
    /// <exception cref="IpcQueueEmptyException">Nothing arrived within the timeout.</exception>
    /// <exception cref="IpcQueueClosedException">The queue is closed and drained: the end of the stream.</exception>
    /// <exception cref="IpcQueueShutDownException">The queue was shut down and is drained (at once after an immediate
    /// shutdown); a getter blocked here when that happens is woken and throws it.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Queue.get(block=True, timeout=None)</remarks>
    public T Get(TimeSpan? timeout = null)
    {
        return _channel.Take(WaitLimit.From(timeout), out var item) switch
        {
            TakeOutcome.Taken => item,
            TakeOutcome.Closed => throw _channel.EndedException(),
            _ => throw new IpcQueueEmptyException(),
        };
    }

    /// <summary>Takes the next item if one is there now.</summary>
    /// <returns>False when the queue is empty, or closed (or shut down) and drained.</returns>
    /// <remarks>Python: Queue.get_nowait (returning instead of raising)</remarks>
    public bool TryGet(out T item) => _channel.Take(WaitLimit.Zero, out item) == TakeOutcome.Taken;

    /// <summary>Takes the next item, waiting up to <paramref name="timeout"/>.</summary>
    /// <returns>False when nothing arrived in time, or the queue is closed (or shut down) and drained.</returns>
    public bool TryGet(out T item, TimeSpan timeout) => _channel.Take(WaitLimit.From(timeout), out item) == TakeOutcome.Taken;

    /// <summary>Takes the next item if one is there now.</summary>
    /// <exception cref="IpcQueueEmptyException">The queue is empty.</exception>
    /// <exception cref="IpcQueueClosedException">The queue is closed and drained.</exception>
    /// <exception cref="IpcQueueShutDownException">The queue was shut down and is drained.</exception>
    /// <remarks>Python: Queue.get_nowait</remarks>
    public T GetNowait() => Get(TimeSpan.Zero);

    /// <summary>Takes up to <c>destination.Length</c> items: waits for the first as <see cref="Get"/> does, then takes
    /// whatever else is there without waiting.</summary>
    /// <returns>How many items were written; 0 when the queue is closed (or shut down) and drained.</returns>
    /// <exception cref="IpcQueueEmptyException">Nothing arrived within the timeout.</exception>
    public int GetMany(Span<T> destination, TimeSpan? timeout = null)
    {
        if (destination.IsEmpty) return 0;
        switch (_channel.Take(WaitLimit.From(timeout), out destination[0]))
        {
            case TakeOutcome.Closed: return 0;
            case TakeOutcome.TimedOut: throw new IpcQueueEmptyException();
        }
        int n = 1;
        while (n < destination.Length && _channel.Take(WaitLimit.Zero, out destination[n]) == TakeOutcome.Taken) n++;
        return n;
    }

    /// <summary>Takes up to <paramref name="max"/> items as <see cref="GetMany(Span{T}, TimeSpan?)"/> does.</summary>
    public T[] GetMany(int max, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var items = new T[max];
        int n = GetMany(items.AsSpan(), timeout);
        return n == max ? items : items[..n];
    }

    /// <summary>Takes the next item without holding a thread while the queue is empty: the wait parks (see
    /// <see cref="AsyncParker"/>) and is woken by the producer's publish, the same wake a synchronous <see cref="Get"/>
    /// gets; no timer, no polling.</summary>
    /// <param name="cancellationToken">Stops the wait. A cancelled call took nothing: the item stays for another
    /// consumer (an item taken just as the token fires is returned, not dropped).</param>
    /// <exception cref="IpcQueueClosedException">The queue is closed and drained: the end of the stream.</exception>
    /// <exception cref="IpcQueueShutDownException">The queue was shut down and is drained (the wait is woken by the
    /// shutdown, as a synchronous <see cref="Get"/> is).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed while the wait was pending.</exception>
    /// <remarks>Python: Queue.get() (no asyncio equivalent)</remarks>
    public ValueTask<T> GetAsync(CancellationToken cancellationToken = default)
    {
        var take = QueueAsync.TakeAsync(_channel, cancellationToken);
        if (take.IsCompletedSuccessfully)
        {
            var (outcome, item) = take.Result;
            return outcome == TakeOutcome.Taken ? new(item) : ValueTask.FromException<T>(_channel.EndedException());
        }
        return Await(take);

        async ValueTask<T> Await(ValueTask<(TakeOutcome, T)> take) => Taken(await take.ConfigureAwait(false));
    }

    private T Taken((TakeOutcome Outcome, T Item) take)
        => take.Outcome == TakeOutcome.Taken ? take.Item : throw _channel.EndedException();

    /// <summary>Puts an item without holding a thread while the queue is full: the wait parks and is woken by a
    /// consumer's take, as a synchronous <see cref="Put"/> is. A message larger than a quarter of the ring (sent in
    /// chunks that must follow one another) is put by a thread-pool thread instead.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Stops the wait; a cancelled call put nothing.</param>
    /// <exception cref="IpcQueueClosedException">This process closed the queue, or the stream has ended.</exception>
    /// <exception cref="IpcQueueShutDownException">The queue was shut down (also while the put waited).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="IpcSerializationException">The item could not be serialized; nothing was enqueued.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed while the wait was pending.</exception>
    /// <remarks>Python: Queue.put(obj) (no asyncio equivalent)</remarks>
    public ValueTask PutAsync(T item, CancellationToken cancellationToken = default)
    {
        EnsureCanPut();
        return QueueAsync.PutAsync(_channel, item, cancellationToken);
    }

    /// <summary>Waits, without holding a thread, until an item can be taken or the stream has ended.</summary>
    /// <returns>True when an item is there (another consumer may still take it first); false once the stream has
    /// ended (closed, completed or shut down) and is drained.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed while the wait was pending.</exception>
    /// <remarks>Python: multiprocessing.connection.wait([queue._reader]). .NET: ChannelReader.WaitToReadAsync</remarks>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        => QueueAsync.WaitToReadAsync(_channel, cancellationToken);

    /// <summary>This queue as a <see cref="ChannelReader{T}"/>: <c>ReadAsync</c>, <c>ReadAllAsync</c>,
    /// <c>TryRead</c>, <c>WaitToReadAsync</c> and <c>Completion</c> (completes once the stream has ended and every item
    /// was taken, by any process).</summary>
    /// <remarks>.NET: System.Threading.Channels. Reading through it is reading the queue: items go to whichever
    /// consumer (adapter or not, in any process) takes them first.</remarks>
    public ChannelReader<T> AsChannelReader() => new IpcQueueChannelReader<T>(this, _channel);

    /// <summary>This queue as a <see cref="ChannelWriter{T}"/>: <c>WriteAsync</c>, <c>TryWrite</c>,
    /// <c>WaitToWriteAsync</c>, and <c>Complete(Exception?)</c>, which is <see cref="Complete"/> (the stream ends for
    /// every process; the exception is not carried to other processes).</summary>
    /// <remarks>.NET: System.Threading.Channels</remarks>
    public ChannelWriter<T> AsChannelWriter() => new IpcQueueChannelWriter<T>(this, _channel);

    bool IWaitableQueue.IsReadyToRead => _channel.Ring.IsReadableAtHead || (_channel.Ring.HasEnded(checkLiveness: true) && !_channel.Ring.HasData);

    /// <summary>Yields items as they arrive until the queue is closed (or shut down) and drained.</summary>
    public IEnumerable<T> GetConsumingEnumerable()
    {
        while (true)
        {
            var outcome = _channel.Take(WaitLimit.Infinite, out var item);
            if (outcome != TakeOutcome.Taken) yield break;
            yield return item;
        }
    }

    /// <summary>Yields items as they arrive until the queue is closed (or shut down) and drained, without holding a
    /// thread while it waits (each step is a <see cref="GetAsync"/>).</summary>
    /// <param name="cancellationToken">Stops the wait between items; a cancelled step took nothing.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>.NET: ChannelReader.ReadAllAsync</remarks>
    public async IAsyncEnumerable<T> GetConsumingAsyncEnumerable([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (outcome, item) = await QueueAsync.TakeAsync(_channel, cancellationToken).ConfigureAwait(false);
            if (outcome != TakeOutcome.Taken) yield break;
            yield return item;
        }
    }

    /// <summary>Says this process puts no more: further puts through this object throw
    /// <see cref="IpcQueueClosedException"/> (even after a <see cref="Shutdown"/>); gets still work. When no process that could put is left, consumers
    /// drain what is there, then <see cref="Get"/> throws <see cref="IpcQueueClosedException"/>,
    /// <see cref="TryGet(out T)"/> returns false and the consuming enumerables end. Calling it again does nothing.</summary>
    /// <remarks>Python: Queue.close()</remarks>
    public void Close() => _channel.Run(_hold.Release);

    /// <summary>Ends the stream for every process at once: puts anywhere throw <see cref="IpcQueueClosedException"/>;
    /// consumers drain what is there, then see the end as after the last <see cref="Close"/>.</summary>
    /// <remarks>Python: (none; the None sentinel convention). .NET: ChannelWriter.Complete(). <see cref="Shutdown"/> is
    /// the same end with Python's exception (<see cref="IpcQueueShutDownException"/>).</remarks>
    public void Complete() => _channel.Read(static r => { r.Complete(); return true; });

    /// <summary>Shuts the queue down for every process (Python 3.13's <c>Queue.shutdown(immediate)</c>): from then on
    /// <see cref="Put"/>, <see cref="PutAsync"/> and the other puts throw <see cref="IpcQueueShutDownException"/> in
    /// every process, putters blocked for room included (they are woken). With <paramref name="immediate"/> false,
    /// getters drain what is queued, then <see cref="Get"/> and <see cref="GetAsync"/> throw
    /// <see cref="IpcQueueShutDownException"/> (blocked ones are woken). With <paramref name="immediate"/> true, what is
    /// queued is discarded (a joinable queue counts each discarded item as done, so a blocked
    /// <see cref="IpcJoinableQueue{T}.Join"/> returns once items taken earlier are done too, as in Python), and every
    /// get throws at once. Calling it again does nothing more (an immediate call after a plain one discards).</summary>
    /// <param name="immediate">Discard the queued items instead of letting getters drain them.</param>
    /// <exception cref="ObjectDisposedException">The queue was disposed.</exception>
    /// <remarks>
    /// <para>Python: Queue.shutdown(immediate=False) (3.13).</para>
    /// <para>It ends the stream as <see cref="Complete"/> does (same wake, so <see cref="IsClosed"/> is true) and marks
    /// the queue shut down in shared memory, which only changes the exception type: where the end of the stream throws
    /// (<see cref="Put"/>, <see cref="Get"/>, <see cref="GetNowait"/>, <see cref="PutAsync"/>, <see cref="GetAsync"/>)
    /// it throws <see cref="IpcQueueShutDownException"/> instead of <see cref="IpcQueueClosedException"/>; where the end
    /// is a result (<see cref="TryGet(out T)"/> false, <see cref="GetMany(Span{T}, TimeSpan?)"/> 0,
    /// <see cref="WaitToReadAsync"/> false, the consuming enumerables and <see cref="AsChannelReader"/> finish) it stays
    /// one. A put through an object this process <see cref="Close"/>d still throws
    /// <see cref="IpcQueueClosedException"/> (checked in this process first).</para>
    /// <para>Immediate: items put concurrently by other processes are discarded too when their put had claimed its
    /// place before the shutdown (a later one throws); a producer stalled in the middle of writing one for more than a
    /// second leaves that one item for a getter rather than hang the shutdown. The discarding process counts the
    /// items as done; killed in the middle of it, the joinable count keeps the items not yet counted.</para>
    /// </remarks>
    public void Shutdown(bool immediate = false) => _channel.Shutdown(immediate);

    /// <summary>Closes this object's hold (see <see cref="Close"/>) and unmaps the queue in this process once no call
    /// is using it; the creator also removes its name. A call blocked in another thread (<see cref="Get"/>,
    /// <see cref="Put"/>, <see cref="IpcJoinableQueue{T}.Join"/>...) throws <see cref="ObjectDisposedException"/>.
    /// Other processes that attached keep working until they dispose theirs.</summary>
    /// <remarks>Python: Queue.close() + join_thread()</remarks>
    public void Dispose()
    {
        _channel.Dispose(_hold.Release);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name.Split('`')[0]}<{typeof(T).Name}>({(_channel.IsDisposed ? "disposed" : Name)})";
}
