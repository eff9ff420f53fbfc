using System.Buffers;

namespace NativeIpc.Queues;

/// <summary>The typed side of a queue: one shared segment holding a <see cref="QueueRing"/>, plus the encoding
/// of <typeparamref name="T"/> by <see cref="IpcSerializers.For{T}"/>. A serializer whose encoding is the value's
/// own memory (<see cref="IDirectSerializer{T}"/>: unmanaged values, unmanaged arrays, strings) has it copied straight
/// into the ring; any other serializes into a reused per-thread buffer first, so a serializer failure throws before
/// anything is enqueued.</summary>
internal sealed unsafe class QueueChannel<T> : IDisposable
{
    /// <summary>Default ring size: 1 MiB.</summary>
    public const int DefaultCapacity = 1 << 20;

    private static readonly uint s_tag = SharedSegment.TypeTag(typeof(T));

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    private readonly SharedSegment _segment;
    private readonly IIpcSerializer<T> _serializer;
    private readonly IDirectSerializer<T>? _direct;
    private readonly QueueRing _ring;
    private readonly bool _joinable;
    private readonly string _display;

    private QueueChannel(SharedSegment segment, IIpcSerializer<T> serializer, bool joinable, string display)
    {
        _segment = segment;
        _joinable = joinable;
        _display = display;
        _serializer = serializer;
        _direct = serializer as IDirectSerializer<T>;
        _ring = new QueueRing(segment.Payload, segment.PayloadLength, segment.DisposeToken);
        QueueRegistry.Track(segment, display);
    }

    public static QueueChannel<T> Create(SegmentKind kind, int capacityBytes, int? maxItems, string display)
    {
        if (capacityBytes < QueueLayout.MinCapacity)
            throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, $"The ring needs at least {QueueLayout.MinCapacity} bytes.");
        if (maxItems is <= 0) throw new ArgumentOutOfRangeException(nameof(maxItems), maxItems, "maxItems must be positive (or null for no limit).");
        var serializer = IpcSerializers.For<T>(); // unsendable T fails here, before a segment exists
        int capacity = (int)Math.Min(1u << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacityBytes));
        int elementSize = (serializer as IDirectSerializer<T>)?.FixedSize ?? 0;
        var segment = SharedSegment.Create(kind, QueueLayout.SegmentPayloadSize(capacity), s_tag, elementSize);
        try
        {
            QueueRing.Initialize(segment.Payload, capacity, maxItems ?? 0);
            segment.MarkReady();
            return new QueueChannel<T>(segment, serializer, kind == SegmentKind.JoinableQueue, display);
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    public static QueueChannel<T> Attach(string name, SegmentKind kind, string display)
    {
        var serializer = IpcSerializers.For<T>();
        var segment = SharedSegment.Attach(name, kind, s_tag, typeof(T).ToString());
        return new QueueChannel<T>(segment, serializer, kind == SegmentKind.JoinableQueue, display);
    }

    public string Name => _segment.Name;

    public int CapacityBytes => Ring.Capacity;

    public QueueRing Ring
    {
        get
        {
            // Not ObjectDisposedException.ThrowIf(bool, object): given a string it names System.String.
            if (_segment.IsDisposed) throw new ObjectDisposedException(_display);
            return _ring;
        }
    }

    public bool IsDisposed => _segment.IsDisposed;

    /// <summary>A reference on the mapping held across an async wait (released by <see cref="Leave"/>), so the memory
    /// its registration and continuation touch stays mapped even when the queue is disposed meanwhile.</summary>
    /// <exception cref="ObjectDisposedException">The queue is disposed.</exception>
    public void Hold() => Enter();

    /// <summary>Drops a reference taken by <see cref="Hold"/>.</summary>
    public void Leave() => _segment.Exit();

    /// <summary>Runs <paramref name="read"/> on the ring under a reference on the mapping (see
    /// <see cref="SharedSegment.TryEnter"/>): a concurrent <see cref="Dispose()"/> cannot unmap it meanwhile.</summary>
    public TResult Read<TResult>(Func<QueueRing, TResult> read)
    {
        var call = EnterCall();
        try { return read(_ring); }
        finally { _segment.ExitCall(call); }
    }

    /// <summary>Runs <paramref name="action"/> under a reference on the mapping; <see cref="ObjectDisposedException"/> once disposed.</summary>
    public void Run(Action action)
    {
        var call = EnterCall();
        try { action(); }
        finally { _segment.ExitCall(call); }
    }

    /// <summary>Like <see cref="Run"/>, but false (and nothing run) once disposed.</summary>
    public bool TryRun(Action action)
    {
        if (!_segment.EnterCall(out var call)) return false;
        try { action(); }
        finally { _segment.ExitCall(call); }
        return true;
    }

    private void Enter()
    {
        if (!_segment.TryEnter()) throw new ObjectDisposedException(_display);
    }

    /// <summary>Holds the mapping for a synchronous call on this thread (<see cref="SharedSegment.EnterCall"/>); pair
    /// with <c>_segment.ExitCall(call)</c> in a finally.</summary>
    private CallGuard EnterCall()
    {
        if (!_segment.EnterCall(out var call)) throw new ObjectDisposedException(_display);
        return call;
    }

    // A ring wait ends with OperationCanceledException only through the segment's DisposeToken.
    private bool DisposedDuringWait(OperationCanceledException e) => _segment.IsDisposed && e.CancellationToken == _segment.DisposeToken;

    /// <summary>Waits until every task put has been marked done (joinable queues); false when the deadline passed.</summary>
    /// <exception cref="ObjectDisposedException">The queue was disposed, also by another thread while this call waited.</exception>
    public bool Join(Deadline deadline)
    {
        var call = EnterCall();
        try { return _ring.Join(deadline); }
        catch (OperationCanceledException e) when (DisposedDuringWait(e)) { throw new ObjectDisposedException(_display); }
        finally { _segment.ExitCall(call); }
    }

    /// <summary>Shuts the queue down for every process (see <see cref="QueueRing.Shutdown"/>); a joinable queue counts
    /// the items an immediate shutdown discards as done.</summary>
    /// <exception cref="ObjectDisposedException">The queue is disposed.</exception>
    public void Shutdown(bool immediate)
    {
        var call = EnterCall();
        try { _ring.Shutdown(immediate, _joinable); }
        catch (OperationCanceledException e) when (DisposedDuringWait(e)) { throw new ObjectDisposedException(_display); }
        finally { _segment.ExitCall(call); }
    }

    /// <summary>True once the queue was shut down, in any process.</summary>
    public bool IsShutDown => Read(static r => r.IsShutDown);

    /// <summary>The exception for a get that found the end of the stream: <see cref="IpcQueueShutDownException"/>
    /// after a shutdown, else <see cref="IpcQueueClosedException"/> (also once disposed: the mapping is gone).</summary>
    public IpcException EndedException()
    {
        if (!_segment.EnterCall(out var call)) return new IpcQueueClosedException();
        try { return _ring.EndedException(); }
        finally { _segment.ExitCall(call); }
    }

    /// <summary>False when <paramref name="limit"/> ran out while the queue was full.</summary>
    /// <exception cref="IpcSerializationException">The item cannot be encoded; nothing was enqueued.</exception>
    public bool Put(T item, WaitLimit limit)
    {
        var call = EnterCall();
        try { return PutCore(_ring, item, limit); }
        catch (OperationCanceledException e) when (DisposedDuringWait(e)) { throw new ObjectDisposedException(_display); }
        catch (IpcException e) when (e is IpcQueueClosedException or IpcQueueShutDownException && _segment.IsDisposed)
        {
            throw new ObjectDisposedException(_display);
        }
        finally { _segment.ExitCall(call); }
    }

    private bool PutCore(QueueRing ring, T item, WaitLimit limit)
    {
        // The stream's end for a putter that still holds the queue can only be Complete(), which the ring checks.
        // A joinable queue's unfinished count is derived in the ring (JoinableCounter): nothing to count here.
        if (_direct is { } direct) return ring.Put(direct.AsBytes(ref item), limit);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        Serialize(item, buffer);
        bool ok = ring.Put(buffer.WrittenSpan, limit);
        if (buffer.Capacity > 1 << 20) t_buffer = null; // do not pin a huge buffer to the thread
        return ok;
    }

    private void Serialize(T item, IBufferWriter<byte> buffer)
    {
        try { _serializer.Serialize(item, buffer); }
        catch (Exception e) when (e is not IpcException)
        {
            throw new IpcSerializationException($"A '{typeof(T)}' could not be serialized for the queue: {e.Message}", e);
        }
    }

    /// <summary>Takes one item.</summary>
    public TakeOutcome Take(WaitLimit limit, out T item)
    {
        var reader = new Reader(_serializer);
        var outcome = Take(ref reader, limit);
        item = reader.Value;
        return outcome;
    }

    /// <summary>Hands the next message, in place in the ring, to <paramref name="reader"/> (the pool reads a task's id
    /// before copying it).</summary>
    /// <exception cref="ObjectDisposedException">The queue was disposed, also by another thread while this call waited.</exception>
    public TakeOutcome Take<TReader>(ref TReader reader, WaitLimit limit) where TReader : IRecordReader, allows ref struct
    {
        var call = EnterCall();
        try
        {
            var outcome = _ring.Take(ref reader, limit);
            // Disposing released this object's hold: the end of stream it may cause is not news to this object.
            if (outcome == TakeOutcome.Closed && _segment.IsDisposed) throw new ObjectDisposedException(_display);
            return outcome;
        }
        catch (OperationCanceledException e) when (DisposedDuringWait(e)) { throw new ObjectDisposedException(_display); }
        finally { _segment.ExitCall(call); }
    }

    private struct Reader(IIpcSerializer<T> serializer) : IRecordReader
    {
        public T Value = default!;

        public void Read(ReadOnlySpan<byte> message) => Value = serializer.Deserialize(message);
    }

    /// <summary>The item's bytes as <see cref="Put"/> writes them, in a buffer of their own (an async put encodes
    /// once and may retry after waiting).</summary>
    /// <exception cref="IpcSerializationException">The item cannot be encoded.</exception>
    public ReadOnlyMemory<byte> Encode(T item)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        if (_direct is { } direct) buffer.Write(direct.AsBytes(ref item));
        else Serialize(item, buffer);
        return buffer.WrittenMemory;
    }

    /// <summary>Marks the queue disposed, wakes every call blocked on it (they throw
    /// <see cref="ObjectDisposedException"/>), fails pending async waits, and unmaps once the last call has left.</summary>
    public void Dispose()
    {
        // Pending async waits watch words in this mapping (this object is their owner): fail them before it goes.
        if (!_segment.IsDisposed) AsyncParker.Abandon(this, _display);
        _segment.Dispose();
    }

    /// <summary>Like <see cref="Dispose()"/>, running <paramref name="last"/> (a holder release) on the still-mapped
    /// ring after the blocked calls were told, so they see the dispose, not the end of stream it may cause.</summary>
    public void Dispose(Action last)
    {
        bool entered = _segment.TryEnter();
        if (!_segment.IsDisposed) AsyncParker.Abandon(this, _display);
        _segment.Dispose();
        if (!entered) return;
        try { last(); }
        finally { _segment.Exit(); }
    }
}
