using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NativeIpc.Queues;

/// <summary>The typed side of a queue: one shared segment holding a <see cref="QueueRing"/>, plus the encoding
/// of <typeparamref name="T"/>. Unmanaged values are copied straight into the ring; everything else goes through
/// <see cref="IpcSerializers.For{T}"/> into a reused per-thread buffer first, so a serializer failure throws
/// before anything is enqueued.</summary>
internal sealed unsafe class QueueChannel<T> : IDisposable
{
    /// <summary>Default ring size: 1 MiB.</summary>
    public const int DefaultCapacity = 1 << 20;

    private static readonly bool s_raw = IsRaw();
    private static readonly uint s_tag = SharedSegment.TypeTag(typeof(T));
    private static readonly bool s_direct = IsDirect();
    private static readonly int s_elementSize = typeof(T).IsSZArray ? SizeOf(typeof(T).GetElementType()!) : sizeof(char);

    private static int SizeOf(Type t) => t.IsEnum ? SizeOf(Enum.GetUnderlyingType(t)) : RuntimeHelpers.SizeOf(t.TypeHandle);

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    private readonly SharedSegment _segment;
    private readonly IIpcSerializer<T>? _serializer;
    private readonly QueueRing _ring;
    private readonly bool _joinable;
    private readonly string _display;

    private QueueChannel(SharedSegment segment, bool joinable, string display)
    {
        _segment = segment;
        _joinable = joinable;
        _display = display;
        _serializer = s_raw ? null : IpcSerializers.For<T>();
        _ring = new QueueRing(segment.Payload, segment.PayloadLength);
    }

    public static QueueChannel<T> Create(SegmentKind kind, int capacityBytes, int? maxItems, string display)
    {
        if (capacityBytes < QueueLayout.MinCapacity)
            throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, $"The ring needs at least {QueueLayout.MinCapacity} bytes.");
        if (maxItems is <= 0) throw new ArgumentOutOfRangeException(nameof(maxItems), maxItems, "maxItems must be positive (or null for no limit).");
        if (!s_raw) _ = IpcSerializers.For<T>(); // unsendable T fails here, before a segment exists
        int capacity = (int)Math.Min(1u << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacityBytes));
        var segment = SharedSegment.Create(kind, QueueLayout.SegmentPayloadSize(capacity), s_tag, s_raw ? Unsafe.SizeOf<T>() : 0);
        try
        {
            QueueRing.Initialize(segment.Payload, capacity, maxItems ?? 0);
            segment.MarkReady();
            return new QueueChannel<T>(segment, kind == SegmentKind.JoinableQueue, display);
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    public static QueueChannel<T> Attach(string name, SegmentKind kind, string display)
    {
        var segment = SharedSegment.Attach(name, kind, s_tag, typeof(T).ToString());
        return new QueueChannel<T>(segment, kind == SegmentKind.JoinableQueue, display);
    }

    public string Name => _segment.Name;

    public int CapacityBytes => Ring.Capacity;

    public QueueRing Ring
    {
        get
        {
            ObjectDisposedException.ThrowIf(_segment.IsDisposed, _display);
            return _ring;
        }
    }

    public bool IsDisposed => _segment.IsDisposed;

    /// <summary>False when the deadline passed while the queue was full.</summary>
    public bool Put(T item, long deadline)
    {
        var ring = Ring;
        if (ring.IsClosed) throw new IpcQueueClosedException();
        if (s_direct && item is null)
            throw new IpcSerializationException($"A null '{typeof(T)}' cannot be put: it would arrive as an empty one. Use Close() to signal the end.");
        // A joinable queue's unfinished count is derived in the ring (JoinableCounter): nothing to count here.
        if (s_raw)
            return ring.Put(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref item), Unsafe.SizeOf<T>()), deadline);
        if (s_direct)
            return ring.Put(DirectBytes(item), deadline); // built-in string/array encodings are the object's own bytes
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        Serialize(item, buffer);
        bool ok = ring.Put(buffer.WrittenSpan, deadline);
        if (buffer.Capacity > 1 << 20) t_buffer = null; // do not pin a huge buffer to the thread
        return ok;
    }

    private static ReadOnlySpan<byte> DirectBytes(T item)
    {
        if (item is string s) return MemoryMarshal.AsBytes(s.AsSpan());
        var array = (Array)(object)item!;
        return MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), checked(array.Length * s_elementSize));
    }

    private void Serialize(T item, IBufferWriter<byte> buffer)
    {
        try { _serializer!.Serialize(item, buffer); }
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

    private struct Reader(IIpcSerializer<T>? serializer) : IRecordReader
    {
        public T Value = default!;

        public void Read(ReadOnlySpan<byte> message)
        {
            if (serializer is null)
            {
                if (message.Length != Unsafe.SizeOf<T>())
                    throw new IpcSerializationException($"Expected {Unsafe.SizeOf<T>()} bytes for '{typeof(T)}', got {message.Length}.");
                Value = Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(message));
            }
            else
            {
                Value = serializer.Deserialize(message);
            }
        }
    }

    public void Dispose() => _segment.Dispose();

    /// <summary>True when T's serializer is the built-in string or unmanaged-array one, whose output is the
    /// object's own memory.</summary>
    private static bool IsDirect()
    {
        try
        {
            var t = IpcSerializers.For<T>().GetType();
            return t == typeof(IpcSerializers.StringSerializer)
                || (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IpcSerializers.UnmanagedArraySerializer<>));
        }
        catch (IpcSerializationException) { return false; }
    }

    private static bool IsRaw()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) return false;
        try { return IpcSerializers.For<T>() is { } s && s.GetType().IsGenericType && s.GetType().GetGenericTypeDefinition() == typeof(IpcSerializers.UnmanagedSerializer<>); }
        catch (IpcSerializationException) { return false; }
    }
}
