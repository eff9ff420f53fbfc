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
        _ring = new QueueRing(segment.Payload, segment.PayloadLength);
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

    /// <summary>False when the deadline passed while the queue was full.</summary>
    /// <exception cref="IpcSerializationException">The item cannot be encoded; nothing was enqueued.</exception>
    public bool Put(T item, long deadline)
    {
        var ring = Ring;
        if (ring.IsClosed) throw new IpcQueueClosedException();
        // A joinable queue's unfinished count is derived in the ring (JoinableCounter): nothing to count here.
        if (_direct is { } direct) return ring.Put(direct.AsBytes(ref item), deadline);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        Serialize(item, buffer);
        bool ok = ring.Put(buffer.WrittenSpan, deadline);
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
    public TakeOutcome Take(long deadline, out T item)
    {
        var reader = new Reader(_serializer);
        var outcome = Ring.Take(ref reader, deadline);
        item = reader.Value;
        return outcome;
    }

    /// <summary>Hands the next message, in place in the ring, to <paramref name="reader"/> (the pool reads a task's id
    /// before copying it).</summary>
    public TakeOutcome Take<TReader>(ref TReader reader, long deadline) where TReader : IRecordReader, allows ref struct
        => Ring.Take(ref reader, deadline);

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

    public void Dispose()
    {
        // Pending async waits watch words in this mapping (this object is their owner): fail them before it goes.
        if (!_segment.IsDisposed) AsyncParker.Abandon(this, _display);
        _segment.Dispose();
    }
}
