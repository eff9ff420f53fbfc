using System.Buffers;
using System.Runtime.InteropServices;
using NativeIpc.Transfer;
using L = NativeIpc.Pipes.PipeLayout;

namespace NativeIpc;

/// <summary>One end of a pipe between processes: Python's <c>multiprocessing.connection.Connection</c>. Messages are
/// whole (never split or merged) and arrive in order; they travel through a ring in shared memory, so a send to a
/// reader that is spinning or asleep costs no system call unless the reader sleeps.</summary>
/// <remarks>
/// <para>Create a pair with <see cref="CreatePipe"/> (or <see cref="Multiprocessing.Pipe"/>) and pass an end to a child
/// process as an <see cref="IpcProcess"/> argument. An end is open while any process holds it: <see cref="Close"/>
/// (or <see cref="Dispose"/>) releases this process's hold, and a process that dies releases its hold too. When
/// no process holds the sending end any more, the receiver reads what was sent, then gets
/// <see cref="IpcPipeClosedException"/> (Python's EOFError) — also when the writer was killed.</para>
/// <para>Values go through <see cref="IpcSerializers"/>; each message carries its type's tag, so
/// <c>Recv&lt;string&gt;()</c> on a message sent as an <c>int</c> throws <see cref="IpcSerializationException"/>
/// and keeps the message for a receive of the right type.</para>
/// <para>Python: multiprocessing.Pipe / Connection</para>
/// </remarks>
public sealed partial class Connection : IDisposable, ITransferable
{
    static Connection() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    /// <summary>Default ring size of each direction: 1 MiB. Larger messages still go through (in pieces).</summary>
    public const int DefaultCapacityBytes = 1 << 20;

    private const int TagSize = sizeof(uint);
    private const uint BytesTag = 0;
    private const int LivenessSliceMs = 100;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    private readonly SharedSegment _segment;
    private readonly Shared _shared;
    private readonly int _end;
    private readonly QueueRing? _send;
    private readonly QueueRing? _recv;
    private readonly nint _sendControl; // the rings' control blocks, for async parking on their event counts
    private readonly nint _recvControl;
    private readonly CancellationTokenSource _closing = new(); // cancelled by Close: wakes this end's blocked calls
    private PipeLivenessWatch? _recvWatch, _sendWatch; // made by the first async wait of each direction
    private byte[]? _pending;
    private volatile bool _closed;
    private int _closeStarted;
    private int _disposed;

    /// <summary>The mapping, shared by the ends that live in one process; unmapped (and, in the creator, unlinked)
    /// when the last of them is disposed.</summary>
    private sealed class Shared(SharedSegment segment)
    {
        public readonly SharedSegment Segment = segment;
        public int Ends;
    }

    private unsafe Connection(Shared shared, int end, bool preRegistered = false)
    {
        _shared = shared;
        Interlocked.Increment(ref shared.Ends);
        _segment = shared.Segment;
        _end = end;
        var segment = _segment;
        byte* p = segment.Payload;
        bool duplex = *(int*)(p + L.DuplexOffset) != 0;
        int capacity = *(int*)(p + L.CapacityOffset);
        if (duplex || end == 1) _send = RingAt(segment, L.RingOffset(end, capacity), _closing.Token, out _sendControl);
        if (duplex || end == 0) _recv = RingAt(segment, L.RingOffset(1 - end, capacity), _closing.Token, out _recvControl);
        if (!preRegistered) Register(ProcessLiveness.Self, end);
    }

    /// <summary>The ring at <paramref name="offset"/> of the payload, checked against the mapping.</summary>
    private static unsafe QueueRing RingAt(SharedSegment segment, long offset, CancellationToken stop, out nint control)
        => offset >= 0 && offset < segment.PayloadLength
            ? new QueueRing((byte*)(control = (nint)(segment.Payload + offset)), segment.PayloadLength - offset, stop)
            : throw new IpcSegmentCorruptedException($"The pipe's shared memory is corrupt: a ring at {offset} lies outside its {segment.PayloadLength} bytes.");

    /// <summary>Creates a pipe and returns its two ends. With <paramref name="duplex"/> both ends send and receive;
    /// otherwise the first end only receives and the second only sends.</summary>
    /// <param name="duplex">Two-way (default) or one-way.</param>
    /// <param name="capacityBytes">Ring size per direction (rounded up to a power of two, at least 1 KiB).</param>
    /// <remarks>Python: multiprocessing.Pipe(duplex=True)</remarks>
    public static unsafe (Connection First, Connection Second) CreatePipe(bool duplex = true, int capacityBytes = DefaultCapacityBytes)
    {
        if (capacityBytes < QueueLayout.MinCapacity)
            throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, $"The ring needs at least {QueueLayout.MinCapacity} bytes.");
        int capacity = (int)Math.Min(1u << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacityBytes));
        var segment = SharedSegment.Create(SegmentKind.Pipe, L.PayloadSize(duplex, capacity));
        try
        {
            byte* p = segment.Payload;
            *(int*)(p + L.DuplexOffset) = duplex ? 1 : 0;
            *(int*)(p + L.CapacityOffset) = capacity;
            QueueRing.Initialize(p + L.RingOffset(1, capacity), capacity, 0);
            if (duplex) QueueRing.Initialize(p + L.RingOffset(0, capacity), capacity, 0);
            segment.MarkReady();
            var shared = new Shared(segment);
            return (new Connection(shared, 0), new Connection(shared, 1));
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    /// <summary>True if this end can receive.</summary>
    /// <remarks>Python: Connection.readable</remarks>
    public bool Readable => _recv is not null || _stream is not null;

    /// <summary>True if this end can send.</summary>
    /// <remarks>Python: Connection.writable</remarks>
    public bool Writable => _send is not null || _stream is not null;

    /// <summary>True after <see cref="Close"/> or <see cref="Dispose"/>.</summary>
    /// <remarks>Python: Connection.closed</remarks>
    public bool IsClosed => _closed;

    /// <summary>Sends <paramref name="value"/> as one message.</summary>
    /// <param name="value">The value; its type needs a serializer (see <see cref="IpcSerializers"/>).</param>
    /// <param name="timeout">How long to wait for room in the ring; null waits as long as a reader exists.</param>
    /// <exception cref="IpcPipeClosedException">No process holds the other end.</exception>
    /// <exception cref="TimeoutException">The ring stayed full for the whole timeout; nothing was sent.</exception>
    /// <exception cref="IpcSerializationException">The value cannot be serialized; nothing was sent.</exception>
    /// <exception cref="ObjectDisposedException">This end is closed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Connection.send(obj)</remarks>
    public void Send<T>(T value, TimeSpan? timeout = null) => SendTagged(TagOf<T>.Value, value, timeout);

    /// <summary>Sends <paramref name="value"/> under <paramref name="tag"/> (its type's, or a reserved one).</summary>
    private void SendTagged<T>(uint tag, T value, TimeSpan? timeout)
    {
        if (_stream is not null) { StreamSend(value); return; }
        var call = EnterCall();
        try
        {
            var ring = SendRing();
            var buffer = t_buffer ??= new ArrayBufferWriter<byte>();
            buffer.ResetWrittenCount();
            MemoryMarshal.Write(buffer.GetSpan(TagSize), tag);
            buffer.Advance(TagSize);
            Serialize(value, buffer);
            Put(ring, buffer.WrittenSpan, timeout);
        }
        catch (Exception e) when (ClosedDuring(e)) { throw ClosedError(); }
        finally { _segment.ExitCall(call); }
    }

    /// <summary>Encodes with the same serializer objects as queues and process arguments; any failure becomes an
    /// <see cref="IpcSerializationException"/> before anything is sent.</summary>
    private static void Serialize<T>(T value, ArrayBufferWriter<byte> buffer)
    {
        try { IpcSerializers.For<T>().Serialize(value, buffer); }
        catch (Exception e) when (e is not IpcSerializationException)
        {
            throw new IpcSerializationException($"A '{typeof(T)}' could not be serialized for the pipe: {e.Message}. Nothing was sent.", e);
        }
    }

    /// <summary>Sends <paramref name="data"/> as one message of raw bytes.</summary>
    /// <exception cref="IpcPipeClosedException">No process holds the other end.</exception>
    /// <exception cref="TimeoutException">The ring stayed full for the whole timeout; nothing was sent.</exception>
    /// <exception cref="ObjectDisposedException">This end is closed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Connection.send_bytes(buf)</remarks>
    public void SendBytes(ReadOnlySpan<byte> data, TimeSpan? timeout = null)
    {
        if (_stream is not null) { _stream.Send(data); return; }
        var call = EnterCall();
        try
        {
            var ring = SendRing();
            var buffer = t_buffer ??= new ArrayBufferWriter<byte>();
            buffer.ResetWrittenCount();
            MemoryMarshal.Write(buffer.GetSpan(TagSize), BytesTag);
            buffer.Advance(TagSize);
            buffer.Write(data);
            Put(ring, buffer.WrittenSpan, timeout);
        }
        catch (Exception e) when (ClosedDuring(e)) { throw ClosedError(); }
        finally { _segment.ExitCall(call); }
    }

    /// <summary>Receives the next message as a <typeparamref name="T"/>.</summary>
    /// <param name="timeout">How long to wait; null waits until a message arrives or the other end closes.</param>
    /// <exception cref="IpcPipeClosedException">The other end is closed and everything sent was read (Python's EOFError).</exception>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    /// <exception cref="IpcSerializationException">The message was sent as another type; it is kept for the next receive.</exception>
    /// <exception cref="ObjectDisposedException">This end is closed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Connection.recv()</remarks>
    public T Recv<T>(TimeSpan? timeout = null)
    {
        if (_stream is not null) return StreamRecv<T>(timeout);
        var reader = new ValueReader<T>(TagOf<T>.Value, IpcSerializers.For<T>());
        if (!Receive(ref reader, WaitLimit.From(timeout))) throw new TimeoutException($"No message arrived within {timeout}.");
        if (reader.Failure is { } failure)
            throw new IpcSerializationException($"The next message could not be read as a {typeof(T).Name}: {failure.Message}. It was dropped.", failure);
        if (reader.Kept is { } kept)
        {
            _pending = kept;
            throw new IpcSerializationException(MemoryMarshal.Read<uint>(kept) == BytesTag
                ? $"The next message was sent with SendBytes; receive it with RecvBytes, not Recv<{typeof(T).Name}>. It is kept."
                : $"The next message was sent as another type than {typeof(T).Name}. It is kept for a receive of the right type.");
        }
        return reader.Value;
    }

    /// <summary>Receives the next message's bytes.</summary>
    /// <exception cref="IpcPipeClosedException">The other end is closed and everything sent was read.</exception>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    /// <exception cref="ObjectDisposedException">This end is closed (also by another thread while this call waited).</exception>
    /// <remarks>Python: Connection.recv_bytes()</remarks>
    public byte[] RecvBytes(TimeSpan? timeout = null)
    {
        if (_stream is not null) return StreamReceive(timeout);
        var reader = new CopyReader();
        if (!Receive(ref reader, WaitLimit.From(timeout))) throw new TimeoutException($"No message arrived within {timeout}.");
        return reader.Message![TagSize..];
    }

    /// <summary>Receives the next message into <paramref name="buffer"/> and returns its length.</summary>
    /// <exception cref="IpcBufferTooShortException">The message does not fit; it is kept for the next receive.</exception>
    /// <exception cref="IpcPipeClosedException">The other end is closed and everything sent was read.</exception>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    /// <remarks>Python: Connection.recv_bytes_into(buffer)</remarks>
    public int RecvBytesInto(Span<byte> buffer, TimeSpan? timeout = null)
    {
        if (_stream is not null) return StreamRecvInto(buffer, timeout);
        var reader = new IntoReader { Destination = buffer };
        if (!Receive(ref reader, WaitLimit.From(timeout))) throw new TimeoutException($"No message arrived within {timeout}.");
        if (reader.Kept is { } kept)
        {
            _pending = kept;
            throw new IpcBufferTooShortException(kept.Length - TagSize, buffer.Length);
        }
        return reader.Length;
    }

    /// <summary>True if a message can be received now, or the other end is closed (so a receive would not block).
    /// Waits up to <paramref name="timeout"/> for that (default: not at all; <see cref="Timeout.InfiniteTimeSpan"/>: no
    /// limit). The message stays in the pipe: another process holding this end may still receive it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite).</exception>
    /// <exception cref="ObjectDisposedException">This end is closed (also by another thread while this call waited).</exception>
    /// <exception cref="InvalidOperationException">This end of a one-way pipe only sends.</exception>
    /// <remarks>Python: Connection.poll(timeout)</remarks>
    public bool Poll(TimeSpan timeout = default)
    {
        if (_stream is not null) return _stream.Poll(Deadline.From(timeout));
        Enter();
        try
        {
            ThrowIfClosed();
            var ring = _recv ?? throw new InvalidOperationException("This end of a one-way pipe only sends.");
            if (_pending is not null) return true;
            var deadline = Deadline.From(timeout);
            // Peek, never take: a message pulled into this process would be lost to the other holders of this end
            // (and to everyone, if this process exits before receiving it).
            if (CanReceive(ring, checkLiveness: false)) return true;
            var spin = new SpinPhase(WaitTuning.QueueSpin);
            while (!deadline.HasPassed && spin.Spin())
                if (ring.IsReadableAtHead || ring.IsClosed) return true;
            while (true)
            {
                // A writer that dies cannot wake us: the wait is sliced, and each slice looks at the holders' liveness.
                if (CanReceive(ring, checkLiveness: true)) return true;
                if (deadline.HasPassed) return false; // checked here: a wait on an expired deadline still sleeps a slice
                ring.DataEvent.Wait(static r => r.IsReadableAtHead || r.IsClosed, ring, deadline, WaitTuning.LivenessSliceMs, _closing.Token);
            }
        }
        catch (Exception e) when (ClosedDuring(e)) { throw ClosedError(); }
        finally { _segment.Exit(); }
    }

    /// <summary>True when a receive would not block: a committed record is at the ring's head, or no process will
    /// send any more (a receive then reads what is left, or reports end of stream).</summary>
    private bool CanReceive(QueueRing ring, bool checkLiveness)
        => ring.IsReadableAtHead || ring.IsClosed || !HasHolder(1 - _end, checkLiveness);

    /// <summary>Receives the next message without holding a thread while waiting: the continuation runs when the
    /// sender's publish wakes the ring (the same wake a synchronous receiver gets; no timer, no polling).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first; no
    /// message is taken.</exception>
    /// <exception cref="IpcPipeClosedException">The other end is closed and everything sent was read.</exception>
    /// <exception cref="IpcSerializationException">The message was sent as another type; it is kept for the next receive.</exception>
    /// <exception cref="ObjectDisposedException">This end was disposed while the receive was pending.</exception>
    /// <remarks>Python: Connection.recv() (no asyncio equivalent)</remarks>
    public async Task<T> RecvAsync<T>(CancellationToken cancellationToken = default)
    {
        if (_stream is not null) return await StreamRecvAsync<T>(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            while (!await PollAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false)) { }
            // Poll only peeks: another holder of this end may take the message first; then wait for the next.
            try { return Recv<T>(TimeSpan.Zero); }
            catch (TimeoutException) { }
        }
    }

    /// <summary>The async <see cref="Poll(TimeSpan)"/>: true once a message can be received or the other end is
    /// closed, false if <paramref name="timeout"/> elapsed first; holds no thread while waiting.</summary>
    /// <param name="timeout">How long to wait; null or <see cref="Timeout.InfiniteTimeSpan"/>: no limit.</param>
    /// <param name="cancellationToken">Stops the wait, leaving no registration behind.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ObjectDisposedException">This end was disposed while the wait was pending.</exception>
    /// <remarks>Python: Connection.poll(timeout)</remarks>
    public async ValueTask<bool> PollAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (_stream is not null) return await _stream.PollAsync(Deadline.From(timeout), cancellationToken).ConfigureAwait(false);
        var deadline = Deadline.From(timeout);
        Enter(); // the mapping stays while the wait is registered
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            bool spun = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Poll()) return true;
                if (deadline.HasPassed) return false;
                if (!spun)
                {
                    // The spin half of spin-then-park, as a sync receiver has: a reply that comes within microseconds
                    // is seen here, without a trip through the parker thread and a thread-pool continuation.
                    spun = true;
                    var spin = new SpinPhase(WaitTuning.QueueSpin);
                    while (!_recv!.IsReadableAtHead && !cancellationToken.IsCancellationRequested && spin.Spin()) { }
                    continue;
                }
                // A writer that dies cannot wake us: the receiving side's liveness watch does (see PipeLivenessWatch).
                if (!await ParkOnRing(_recvControl, QueueLayout.DataSeqOffset, QueueLayout.DataSleepersOffset, static c => c.Poll(), deadline, receiving: true, linked.Token).ConfigureAwait(false))
                    return Poll();
            }
        }
        catch (OperationCanceledException) when (_closed && !cancellationToken.IsCancellationRequested) { throw ClosedError(); }
        finally
        {
            linked.Dispose();
            _segment.Exit();
        }
    }

    /// <summary>Sends <paramref name="value"/> as one message, waiting for room in the ring without holding a thread
    /// (woken by the reader's take, as a synchronous sender is).</summary>
    /// <param name="value">The value; its type needs a serializer (see <see cref="IpcSerializers"/>).</param>
    /// <param name="timeout">How long to wait for room; null waits as long as a reader exists.</param>
    /// <param name="cancellationToken">Stops the wait; a cancelled send sent nothing.</param>
    /// <exception cref="IpcPipeClosedException">No process holds the other end.</exception>
    /// <exception cref="TimeoutException">The ring stayed full for the whole timeout; nothing was sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first; nothing was sent.</exception>
    /// <exception cref="IpcSerializationException">The value cannot be serialized; nothing was sent.</exception>
    /// <remarks>Python: Connection.send(obj) (no asyncio equivalent)</remarks>
    public async ValueTask SendAsync<T>(T value, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (_stream is not null) { await StreamSendAsync(value, cancellationToken).ConfigureAwait(false); return; }
        var ring = SendRing();
        var buffer = new ArrayBufferWriter<byte>();
        MemoryMarshal.Write(buffer.GetSpan(TagSize), TagOf<T>.Value);
        buffer.Advance(TagSize);
        IpcSerializers.For<T>().Serialize(value, buffer);
        var message = buffer.WrittenMemory;
        var deadline = Deadline.From(timeout);
        Enter(); // the mapping stays while the wait is registered
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ThrowIfClosed();
                if (TryPutNow(ring, message.Span)) return;
                if (deadline.HasPassed) throw Deadline.TimedOut("Sending on the pipe (it stayed full)");
                await ParkOnRing(_sendControl, QueueLayout.SpaceSeqOffset, QueueLayout.SpaceSleepersOffset, _ => !ring.IsFull || ring.IsClosed, deadline, receiving: false, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_closed && !cancellationToken.IsCancellationRequested) { throw ClosedError(); }
        finally
        {
            linked.Dispose();
            _segment.Exit();
        }
    }

    /// <summary>One non-blocking put (false: full), with the sync path's end-of-pipe checks.</summary>
    private bool TryPutNow(QueueRing ring, ReadOnlySpan<byte> message)
    {
        int peer = 1 - _end;
        if (!HasHolder(peer, checkLiveness: false)) throw new IpcPipeClosedException("The other end of the pipe is closed: nobody can receive this message.");
        try
        {
            if (ring.Put(message, WaitLimit.Zero)) return true;
        }
        catch (IpcQueueClosedException)
        {
            throw new IpcPipeClosedException("This end of the pipe was closed by every process that held it.");
        }
        if (!HasHolder(peer, checkLiveness: true)) throw new IpcPipeClosedException("Every process holding the other end of the pipe closed it or died.");
        return false;
    }

    /// <summary>Parks once (async) on one of the rings' event counts (<paramref name="seqOffset"/>,
    /// <paramref name="waitersOffset"/> in its <see cref="QueueLayout"/> control block), unless
    /// <paramref name="ready"/>, checked after registering, says not to. A peer that dies wakes nobody: the park names
    /// this end's <see cref="PipeLivenessWatch"/> for its direction, which the parker asks once per liveness slice.</summary>
    private unsafe ValueTask<bool> ParkOnRing(nint control, int seqOffset, int waitersOffset, Func<Connection, bool> ready, Deadline deadline, bool receiving, CancellationToken ct)
    {
        var count = new EventCount((int*)(control + seqOffset), (int*)(control + waitersOffset));
        var watch = receiving ? _recvWatch ??= new PipeLivenessWatch(this, receiving: true) : _sendWatch ??= new PipeLivenessWatch(this, receiving: false);
        return count.WaitWatchedAsync(ready, this, deadline, watch, ct, _shared);
    }

    /// <summary>What this end's pending async waits must notice that no wake announces (see <see cref="LivenessWatch"/>):
    /// every process holding the other end died without closing it (a receiver then sees the end of stream, a sender
    /// that nobody can read), or a peer died holding the ring's take or claim word, a half-written record or a record
    /// it was copying out (the retry repairs it, as for a queue: <see cref="QueueLivenessWatch"/>).</summary>
    private sealed class PipeLivenessWatch(Connection connection, bool receiving) : LivenessWatch
    {
        protected internal override bool FoundDead(LivenessLook look)
        {
            var c = connection;
            int peer = 1 - c._end;
            if (c.HasHolder(peer, checkLiveness: false) && !c.HasLiveHolder(peer, look)) return true;
            var ring = receiving ? c._recv : c._send;
            if (ring is null) return false;
            var side = receiving ? QueueLivenessWatch.Consumers(ring) : QueueLivenessWatch.Producers(ring);
            return side.FoundDead(look);
        }
    }

    /// <summary>Releases this process's hold on this end. When no process holds it any more, the other end sees
    /// end-of-stream after reading what was sent.</summary>
    /// <remarks>Python: Connection.close()</remarks>
    public void Close()
    {
        if (_stream is not null) { StreamClose(); return; }
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0) return;
        _closed = true;
        _closing.Cancel(); // wakes this end's blocked calls: they throw ObjectDisposedException
        if (!_segment.TryEnter()) return;
        try
        {
            if (Unregister(_end) && _send is not null) _send.Close();
        }
        finally { _segment.Exit(); }
    }

    /// <summary>Closes this end (see <see cref="Close"/>) and unmaps the pipe once no call is using it; the creator
    /// also removes its name. A call blocked on this end in another thread throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Close();
        if (_stream is not null) return;
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (Interlocked.Decrement(ref _shared.Ends) == 0)
        {
            AsyncParker.Abandon(_shared, nameof(Connection)); // pending async waits fail before the memory goes
            _segment.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => _stream is not null ? StreamToString() : $"Connection(end {_end} of {_segment.Name}{(_closed ? ", closed" : "")})";

    void ITransferable.WriteTransfer(BinaryWriter writer)
    {
        if (_stream is not null) throw new NotSupportedException("A socket connection cannot be passed to a child process; connect from the child instead.");
        ThrowIfClosed();
        writer.Write(_segment.Name);
        writer.Write(_end);
    }

    void ITransferable.OnSentToChild(int childOwner)
    {
        Enter();
        try { Register(childOwner, _end); }
        finally { _segment.Exit(); }
    }

    internal static unsafe Connection ReadTransfer(BinaryReader reader)
    {
        string name = reader.ReadString();
        int end = reader.ReadInt32();
        // The parent registered this process as a holder when it spawned us (OnSentToChild).
        return new Connection(new Shared(SharedSegment.Attach(name, SegmentKind.Pipe)), end, preRegistered: true);
    }

    // ---------------------------------------------------------------- sending and receiving

    private QueueRing SendRing()
    {
        ThrowIfClosed();
        return _send ?? throw new InvalidOperationException("This end of a one-way pipe only receives.");
    }

    private void Put(QueueRing ring, ReadOnlySpan<byte> message, TimeSpan? timeout)
    {
        int peer = 1 - _end;
        if (!HasHolder(peer, checkLiveness: false)) throw new IpcPipeClosedException("The other end of the pipe is closed: nobody can receive this message.");
        var limit = WaitLimit.From(timeout);
        try
        {
            // Room now (the usual case): no clock read. A chunked message is never begun by an attempt that cannot wait.
            if (message.Length <= ring.MaxRecordPayload && ring.Put(message, WaitLimit.Zero)) return;
            var deadline = limit.Start();
            while (true)
            {
                // Full for a while: make sure a reader is still alive before waiting on.
                if (ring.Put(message, deadline.CappedAt(LivenessSliceMs))) return;
                if (!HasHolder(peer, checkLiveness: true)) throw new IpcPipeClosedException("Every process holding the other end of the pipe closed it or died.");
                if (deadline.HasPassed) throw new TimeoutException($"The pipe stayed full for {timeout}; nothing was sent.");
            }
        }
        catch (IpcQueueClosedException)
        {
            throw new IpcPipeClosedException("This end of the pipe was closed by every process that held it.");
        }
    }

    /// <summary>Hands the next message (a kept one first) to <paramref name="reader"/>; false when
    /// <paramref name="limit"/> ran out first; throws at end-of-stream.</summary>
    private bool Receive<TReader>(ref TReader reader, WaitLimit limit) where TReader : IRecordReader, allows ref struct
    {
        var call = EnterCall();
        try { return ReceiveCore(ref reader, limit); }
        catch (Exception e) when (ClosedDuring(e)) { throw ClosedError(); }
        finally { _segment.ExitCall(call); }
    }

    private bool ReceiveCore<TReader>(ref TReader reader, WaitLimit limit) where TReader : IRecordReader, allows ref struct
    {
        ThrowIfClosed();
        var ring = _recv ?? throw new InvalidOperationException("This end of a one-way pipe only sends.");
        if (_pending is { } kept)
        {
            _pending = null;
            reader.Read(kept);
            return true;
        }
        // A message there now (the usual case): no clock read.
        switch (ring.Take(ref reader, WaitLimit.Zero))
        {
            case TakeOutcome.Taken: return true;
            case TakeOutcome.Closed: throw EndOfStream();
        }
        var deadline = limit.Start();
        while (true)
        {
            switch (ring.Take(ref reader, deadline.CappedAt(LivenessSliceMs)))
            {
                case TakeOutcome.Taken: return true;
                case TakeOutcome.Closed: throw EndOfStream();
            }
            // Nothing came this slice: if every writer is gone, nothing ever will (a message it sent is still
            // read first: HasData is checked after the holders).
            if (!HasHolder(1 - _end, checkLiveness: true) && !ring.HasData) throw EndOfStream();
            if (deadline.HasPassed) return false;
        }
    }

    private static IpcPipeClosedException EndOfStream()
        => new("The other end of the pipe is closed and everything it sent has been received (end of stream).");

    /// <summary>Copies the whole message (tag included).</summary>
    private struct CopyReader : IRecordReader
    {
        public byte[]? Message;
        public void Read(ReadOnlySpan<byte> message) => Message = message.ToArray();
    }

    /// <summary>Copies the payload straight from the ring into the caller's buffer, or keeps the message if it does not fit.</summary>
    private ref struct IntoReader : IRecordReader
    {
        public Span<byte> Destination;
        public int Length;
        public byte[]? Kept;

        public void Read(ReadOnlySpan<byte> message)
        {
            var payload = message[TagSize..];
            if (payload.Length > Destination.Length) { Kept = message.ToArray(); return; }
            payload.CopyTo(Destination);
            Length = payload.Length;
        }
    }

    /// <summary>Deserializes straight from the ring when the tag matches; keeps a message of another type.</summary>
    private struct ValueReader<T>(uint tag, IIpcSerializer<T> serializer) : IRecordReader
    {
        public T Value = default!;
        public byte[]? Kept;
        public Exception? Failure;

        public void Read(ReadOnlySpan<byte> message)
        {
            if (MemoryMarshal.Read<uint>(message) != tag) { Kept = message.ToArray(); return; }
            // Never let a serializer's exception escape while the ring's take lock is held.
            try { Value = serializer.Deserialize(message[TagSize..]); }
            catch (Exception e) { Failure = e; }
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed) throw ClosedError();
    }

    private static ObjectDisposedException ClosedError() => new(nameof(Connection), "This end of the pipe is closed.");

    /// <summary>A reference on the mapping for one call (the last end's <see cref="Dispose"/> unmaps only after it);
    /// <see cref="ObjectDisposedException"/> once this end is closed. Pair with <c>_segment.Exit()</c>.</summary>
    private void Enter()
    {
        if (_closed || !_segment.TryEnter()) throw ClosedError();
        if (_closed)
        {
            _segment.Exit();
            throw ClosedError();
        }
    }

    /// <summary>Like <see cref="Enter"/> for a synchronous call on this thread (<see cref="SharedSegment.EnterCall"/>:
    /// no interlocked instruction). Pair with <c>_segment.ExitCall(call)</c> in a finally.</summary>
    private CallGuard EnterCall()
    {
        if (_closed || !_segment.EnterCall(out var call)) throw ClosedError();
        if (_closed)
        {
            _segment.ExitCall(call);
            throw ClosedError();
        }
        return call;
    }

    // A ring wait ends with OperationCanceledException only through this end's closing token; the end of stream that
    // closing this end may cause (its last holder left) is not news to the caller who closed it either.
    private bool ClosedDuring(Exception e)
        => _closed && (e is OperationCanceledException oce ? oce.CancellationToken == _closing.Token
            : e is IpcPipeClosedException or IpcQueueClosedException);

    private static class TagOf<T>
    {
        public static readonly uint Value = SharedSegment.TypeTag(typeof(T));
    }

    // ---------------------------------------------------------------- holders (who has each end open)

    private unsafe int* Slot(int end, int i) => (int*)(_segment.Payload + L.HolderTable(end) + i * L.HolderSize);

    private unsafe void Register(int me, int end)
    {
        for (int i = 0; i < L.HolderSlots; i++)
            if (Volatile.Read(ref *Slot(end, i)) == me) { Interlocked.Increment(ref *(Slot(end, i) + 1)); return; }
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < L.HolderSlots; i++)
            {
                int* s = Slot(end, i);
                int pid = Volatile.Read(ref *s);
                // First pass: free slots; second: slots of dead processes, which never closed their hold.
                bool free = pass == 0 ? pid == 0 : pid != 0 && !ProcessLiveness.IsAlive(pid);
                if (free && Interlocked.CompareExchange(ref *s, me, pid) == pid)
                {
                    Volatile.Write(ref *(s + 1), 1);
                    return;
                }
            }
        }
        throw new IpcException($"More than {L.HolderSlots} processes hold end {end} of pipe '{_segment.Name}'.");
    }

    /// <summary>Drops one hold of this process; true when no process holds the end any more.</summary>
    private unsafe bool Unregister(int end)
    {
        int me = ProcessLiveness.Self;
        for (int i = 0; i < L.HolderSlots; i++)
        {
            int* s = Slot(end, i);
            if (Volatile.Read(ref *s) == me && Interlocked.Decrement(ref *(s + 1)) == 0)
                Interlocked.CompareExchange(ref *s, 0, me);
        }
        return !HasHolder(end, checkLiveness: false);
    }

    /// <summary>True when a holder of <paramref name="end"/> is alive by a parker's <paramref name="look"/>.</summary>
    private unsafe bool HasLiveHolder(int end, LivenessLook look)
    {
        for (int i = 0; i < L.HolderSlots; i++)
        {
            int owner = Volatile.Read(ref *Slot(end, i));
            if (owner != 0 && look.IsAlive(owner)) return true;
        }
        return false;
    }

    private unsafe bool HasHolder(int end, bool checkLiveness)
    {
        for (int i = 0; i < L.HolderSlots; i++)
        {
            int pid = Volatile.Read(ref *Slot(end, i));
            if (pid != 0 && (!checkLiveness || ProcessLiveness.IsAlive(pid))) return true;
        }
        return false;
    }
}
