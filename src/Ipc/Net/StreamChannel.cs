using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace NativeIpc.Net;

/// <summary>Whole messages over a byte stream (a socket, TLS over a socket, a named pipe) in Python's framing
/// (<see cref="WireLayout"/>): the transport under a socket-backed <see cref="Connection"/>.</summary>
/// <remarks>
/// <para>A length prefix above the maximum is a protocol error that closes the channel before anything is allocated.
/// A frame is assembled across calls: a receive that times out mid-message keeps what arrived, the next one goes on.</para>
/// <para>Reads: a raw socket is read synchronously (a <c>poll</c> first when there is a timeout), so a blocking
/// receive costs one system call; other streams, and every async or timed wait, use one outstanding
/// <c>ReadAsync</c> into the channel's buffer, which a later call finishes (a stream read is never cancelled
/// midway, so a timeout never loses bytes).</para>
/// </remarks>
internal sealed class StreamChannel : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const int SmallSend = 16 * 1024; // up to this a frame is copied and written in one call
    private const int MaxReceiveSpins = 100; // non-blocking reads before a blocking one (~1 µs each with the pause)
    private const int MinReceiveSpins = 2;

    private readonly Stream _stream;
    private readonly Socket? _socket; // the raw socket when reads can bypass the stream (no TLS)
    private readonly nint _fd = -1;     // its descriptor, read and written with plain recv/send (Unix)
    private readonly SemaphoreSlim _recvLock = new(1, 1);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _buf = new byte[BufferSize];
    private int _start, _end;           // buffered, unconsumed bytes
    private Task<int>? _pendingRead;    // an outstanding read into _buf[_end..]
    private byte[]? _frame;             // the message being assembled (maybe the reused scratch array)
    private int _frameLength;
    private int _filled;
    private byte[] _scratch = [];       // reused by ReceiveInto for messages up to ScratchLimit: no allocation per message
    private const int ScratchLimit = 16 << 20;
    private bool _eof;
    private int _receiveSpins = MaxReceiveSpins; // (under _recvLock)
    private volatile bool _closed;

    public StreamChannel(Stream stream, Socket? socket, int maxMessageBytes)
    {
        _stream = stream;
        _socket = socket;
        if (socket is not null && !OperatingSystem.IsWindows()) _fd = socket.Handle;
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>The largest message this end receives.</summary>
    public int MaxMessageBytes { get; }

    /// <summary>A message handed back by a receive that could not use it (wrong type, buffer too short).</summary>
    public byte[]? Kept { get; set; }

    public bool IsClosed => _closed;

    // ---------------------------------------------------------------- sending

    /// <summary>Sends one message (blocking until the stream took it).</summary>
    public void Send(ReadOnlySpan<byte> payload)
    {
        ThrowIfClosed();
        _sendLock.Wait();
        try
        {
            if (payload.Length <= SmallSend)
            {
                var frame = ArrayPool<byte>.Shared.Rent(WireLayout.PrefixSize + payload.Length);
                try
                {
                    BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
                    payload.CopyTo(frame.AsSpan(WireLayout.PrefixSize));
                    Write(frame.AsSpan(0, WireLayout.PrefixSize + payload.Length));
                }
                finally { ArrayPool<byte>.Shared.Return(frame); }
            }
            else
            {
                Span<byte> prefix = stackalloc byte[WireLayout.PrefixSize];
                BinaryPrimitives.WriteInt32BigEndian(prefix, payload.Length);
                Write(prefix);
                Write(payload);
            }
        }
        catch (Exception e) when (IsTransportError(e)) { throw Translate(e, sending: true); }
        finally { _sendLock.Release(); }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (_fd >= 0) Platform.Unix.SocketIo.SendAll(_fd, bytes);
        else
        {
            _stream.Write(bytes);
            _stream.Flush();
        }
    }

    /// <summary>Sends one message without holding a thread while the stream is full.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        ThrowIfClosed();
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_fd >= 0)
            {
                var frame = new byte[WireLayout.PrefixSize + payload.Length];
                BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
                payload.Span.CopyTo(frame.AsSpan(WireLayout.PrefixSize));
                // Once started, the frame is written whole (a cancelled half frame would break the stream).
                for (int done = 0; done < frame.Length;)
                {
                    int n = Platform.Unix.SocketIo.TrySend(_fd, frame.AsSpan(done));
                    done += n;
                    if (n == 0) await SocketReadiness.WaitAsync(_fd, write: true, Deadline.Infinite, CancellationToken.None).ConfigureAwait(false);
                }
                return;
            }
            var prefix = new byte[WireLayout.PrefixSize];
            BinaryPrimitives.WriteInt32BigEndian(prefix, payload.Length);
            // A cancelled write would leave half a frame: once started, the frame is written whole.
            await _stream.WriteAsync(prefix, CancellationToken.None).ConfigureAwait(false);
            await _stream.WriteAsync(payload, CancellationToken.None).ConfigureAwait(false);
            await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportError(e)) { throw Translate(e, sending: true); }
        finally { _sendLock.Release(); }
    }

    // ---------------------------------------------------------------- receiving

    /// <summary>The next message (a kept one first); null when <paramref name="deadline"/> passed first.</summary>
    public byte[]? Receive(Deadline deadline, int limit = int.MaxValue)
    {
        ThrowIfClosed();
        if (!_recvLock.Wait(deadline.RemainingMilliseconds)) return null;
        try
        {
            var task = ReceiveCore(sync: true, deadline, Math.Min(limit, MaxMessageBytes), scratch: false, CancellationToken.None);
            return task.IsCompleted ? Own(task.Result) : throw new InvalidOperationException("A synchronous receive went asynchronous.");
        }
        catch (Exception e) when (IsTransportError(e)) { throw Translate(e, sending: false); }
        finally { _recvLock.Release(); }
    }

    /// <summary>The next message without holding a thread; null when <paramref name="deadline"/> passed first.</summary>
    public async ValueTask<byte[]?> ReceiveAsync(Deadline deadline, CancellationToken ct, int limit = int.MaxValue)
    {
        ThrowIfClosed();
        await _recvLock.WaitAsync(ct).ConfigureAwait(false);
        try { return Own(await ReceiveCore(sync: false, deadline, Math.Min(limit, MaxMessageBytes), scratch: false, ct).ConfigureAwait(false)); }
        catch (Exception e) when (IsTransportError(e)) { throw Translate(e, sending: false); }
        finally { _recvLock.Release(); }
    }

    /// <summary>Receives the next message into <paramref name="destination"/> (through a reused buffer, so a large
    /// message costs no allocation) and returns its length; -1 when the deadline passed. A message longer than the
    /// destination comes back in <paramref name="tooLong"/> instead (the caller keeps it).</summary>
    public int ReceiveInto(Span<byte> destination, Deadline deadline, out byte[]? tooLong)
    {
        tooLong = null;
        ThrowIfClosed();
        if (Kept is { } kept)
        {
            Kept = null;
            if (kept.Length > destination.Length) { tooLong = kept; return kept.Length; }
            kept.CopyTo(destination);
            return kept.Length;
        }
        if (!_recvLock.Wait(deadline.RemainingMilliseconds)) return -1;
        try
        {
            var task = ReceiveCore(sync: true, deadline, MaxMessageBytes, scratch: true, CancellationToken.None);
            if (!task.IsCompleted) throw new InvalidOperationException("A synchronous receive went asynchronous.");
            if (task.Result is not { } message) return -1;
            if (message.Count > destination.Length) { tooLong = message.ToArray(); return message.Count; }
            message.AsSpan().CopyTo(destination);
            return message.Count;
        }
        catch (Exception e) when (IsTransportError(e)) { throw Translate(e, sending: false); }
        finally { _recvLock.Release(); }
    }

    /// <summary>The message as an array of its own (a scratch-backed one is copied).</summary>
    private static byte[]? Own(ArraySegment<byte>? message)
        => message is not { } m ? null : m.Offset == 0 && m.Count == m.Array!.Length ? m.Array : m.ToArray();

    /// <summary>True once a receive would not block for its first bytes: something arrived, or the peer closed.</summary>
    public bool Poll(Deadline deadline)
    {
        ThrowIfClosed();
        if (Kept is not null) return true;
        if (!_recvLock.Wait(deadline.RemainingMilliseconds)) return false;
        try
        {
            if (HasInput) return true;
            var task = Fill(sync: true, deadline, CancellationToken.None, pollOnly: true);
            return task.IsCompleted ? task.Result : throw new InvalidOperationException("A synchronous poll went asynchronous.");
        }
        catch (Exception e) when (IsTransportError(e)) { throw Translate(e, sending: false); }
        finally { _recvLock.Release(); }
    }

    /// <summary>The async <see cref="Poll"/>: holds no thread while waiting; leaves no lost bytes when cancelled.</summary>
    public async ValueTask<bool> PollAsync(Deadline deadline, CancellationToken ct)
    {
        ThrowIfClosed();
        if (Kept is not null) return true;
        await _recvLock.WaitAsync(ct).ConfigureAwait(false);
        try { return HasInput || await Fill(sync: false, deadline, ct, pollOnly: true).ConfigureAwait(false); }
        catch (Exception e) when (IsTransportError(e)) { throw Translate(e, sending: false); }
        finally { _recvLock.Release(); }
    }

    private bool HasInput => Kept is not null || _end > _start || _eof || _pendingRead is { IsCompleted: true };

    private async ValueTask<ArraySegment<byte>?> ReceiveCore(bool sync, Deadline deadline, int limit, bool scratch, CancellationToken ct)
    {
        if (Kept is { } kept)
        {
            Kept = null;
            return kept;
        }
        while (true)
        {
            if (_frame is null && !TryStartFrame(limit, scratch))
            {
                if (!await Fill(sync, deadline, ct, pollOnly: false).ConfigureAwait(false)) return null;
                continue;
            }
            var frame = _frame!;
            int take = Math.Min(_end - _start, _frameLength - _filled);
            _buf.AsSpan(_start, take).CopyTo(frame.AsSpan(_filled));
            _start += take;
            _filled += take;
            if (_filled == _frameLength)
            {
                _frame = null;
                return new ArraySegment<byte>(frame, 0, _frameLength);
            }
            // A large rest goes straight into the message when nothing is outstanding on the buffer.
            if (_pendingRead is null && _frameLength - _filled >= BufferSize && (_fd >= 0 || (sync ? _socket is not null : deadline.IsInfinite && !ct.CanBeCanceled)))
            {
                var rest = frame.AsMemory(_filled, _frameLength - _filled);
                int n = _fd >= 0 ? await ReadFdAsync(rest, sync, deadline, ct).ConfigureAwait(false)
                    : sync ? ReadSocket(rest.Span, deadline) : await _stream.ReadAsync(rest, CancellationToken.None).ConfigureAwait(false);
                if (n < 0) return null;
                if (n == 0) throw EndOfStream(midMessage: true);
                _filled += n;
                continue;
            }
            if (!await Fill(sync, deadline, ct, pollOnly: false).ConfigureAwait(false)) return null;
        }
    }

    /// <summary>Reads the length prefix from the buffer if it is all there and sets up <see cref="_frame"/>.</summary>
    private bool TryStartFrame(int limit, bool scratch)
    {
        int have = _end - _start;
        if (have < WireLayout.PrefixSize) return false;
        long length = BinaryPrimitives.ReadInt32BigEndian(_buf.AsSpan(_start));
        int header = WireLayout.PrefixSize;
        if (length == WireLayout.LargeMarker)
        {
            if (have < WireLayout.PrefixSize + WireLayout.LargeLengthSize) return false;
            ulong large = BinaryPrimitives.ReadUInt64BigEndian(_buf.AsSpan(_start + WireLayout.PrefixSize));
            length = large > long.MaxValue ? long.MaxValue : (long)large;
            header += WireLayout.LargeLengthSize;
        }
        else if (length < 0)
        {
            throw Fail($"The peer sent a negative message length ({length}): this is not Python's framing.");
        }
        if (length > limit)
            throw Fail($"The peer announced a message of {length} bytes; this connection accepts at most {limit}. The connection was closed.");
        _start += header;
        _frameLength = (int)length;
        if (scratch && length <= ScratchLimit)
        {
            if (_scratch.Length < length) _scratch = GC.AllocateUninitializedArray<byte>((int)Math.Max(length, Math.Min(ScratchLimit, 2L * _scratch.Length)));
            _frame = _scratch;
        }
        else _frame = length == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)length);
        _filled = 0;
        return true;
    }

    /// <summary>Gets more bytes into the buffer (or, with <paramref name="pollOnly"/>, just waits for some to be
    /// readable); false when the deadline passed first. At end of stream: true for a poll, else throws.</summary>
    private async ValueTask<bool> Fill(bool sync, Deadline deadline, CancellationToken ct, bool pollOnly)
    {
        if (_eof)
        {
            if (pollOnly) return true;
            throw EndOfStream(midMessage: _frame is not null || _end > _start);
        }
        if (_start == _end) _start = _end = 0;
        else if (_end == _buf.Length)
        {
            // Only a header can be left over here (a frame's body goes straight into the frame): move it to the front.
            _buf.AsSpan(_start, _end - _start).CopyTo(_buf);
            _end -= _start;
            _start = 0;
        }
        int n;
        if (_fd >= 0)
        {
            if (pollOnly)
                return sync ? Platform.Unix.SocketIo.PollRead(_fd, deadline.RemainingMilliseconds)
                    : Platform.Unix.SocketIo.PollRead(_fd, 0) || await SocketReadiness.WaitAsync(_fd, write: false, deadline, ct).ConfigureAwait(false);
            n = await ReadFdAsync(_buf.AsMemory(_end), sync, deadline, ct).ConfigureAwait(false);
            if (n < 0) return false;
        }
        else if (_pendingRead is null && sync && _socket is not null)
        {
            if (pollOnly) return _fd >= 0 ? Platform.Unix.SocketIo.PollRead(_fd, deadline.RemainingMilliseconds) : _socket.Poll(Micros(deadline), SelectMode.SelectRead);
            n = ReadSocket(_buf.AsSpan(_end), deadline);
            if (n < 0) return false;
        }
        else if (_pendingRead is null && deadline.IsInfinite && !ct.CanBeCanceled && !pollOnly)
        {
            n = sync ? _stream.Read(_buf, _end, _buf.Length - _end) : await _stream.ReadAsync(_buf.AsMemory(_end), CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            var read = _pendingRead ??= _stream.ReadAsync(_buf, _end, _buf.Length - _end, CancellationToken.None);
            if (!read.IsCompleted)
            {
                if (sync)
                {
                    if (!((IAsyncResult)read).AsyncWaitHandle.WaitOne(deadline.RemainingMilliseconds)) return false;
                }
                else if (!deadline.IsInfinite || ct.CanBeCanceled)
                {
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var timer = Task.Delay(deadline.Remaining, stop.Token);
                    var first = await Task.WhenAny(read, timer).ConfigureAwait(false);
                    stop.Cancel(); // the delay's timer goes now, not when it would have fired
                    if (first != read)
                    {
                        ct.ThrowIfCancellationRequested();
                        return false;
                    }
                }
            }
            _pendingRead = null;
            n = await read.ConfigureAwait(false);
        }
        if (n == 0)
        {
            _eof = true;
            if (pollOnly) return true;
            throw EndOfStream(midMessage: _frame is not null || _end > _start);
        }
        _end += n;
        return true;
    }

    /// <summary>One read from the descriptor: blocking (sync) or awaiting readiness without a thread; -1 when the
    /// deadline passed.</summary>
    private async ValueTask<int> ReadFdAsync(Memory<byte> into, bool sync, Deadline deadline, CancellationToken ct)
    {
        if (sync)
        {
            // A reply usually comes within a round trip: looking again for it, yielding the CPU between looks (to the
            // peer, if it waits for this CPU), costs less than a sleep and the peer's wake-up of this thread (an idle
            // CPU's exit: tens of µs on a VM). The budget halves after each spin that found nothing and grows back after
            // each that found the data. NATIVEIPC_QUEUE_SPIN=0 turns it off.
            var spin = new SpinPhase(WaitTuning.QueueSpin == 0 ? 0 : _receiveSpins);
            while (true)
            {
                int got = Platform.Unix.SocketIo.TryReceive(_fd, into.Span);
                if (got >= 0)
                {
                    if (spin.Count > 0) _receiveSpins = Math.Min(MaxReceiveSpins, 2 * _receiveSpins);
                    return got;
                }
                if (!spin.Spin() || deadline.HasPassed) break;
                Thread.Yield();
            }
            if (spin.Count > 0) _receiveSpins = Math.Max(MinReceiveSpins, _receiveSpins / 2);
            return Platform.Unix.SocketIo.Receive(_fd, into.Span, deadline.RemainingMilliseconds);
        }
        while (true)
        {
            int n = Platform.Unix.SocketIo.TryReceive(_fd, into.Span);
            if (n >= 0) return n;
            if (!await SocketReadiness.WaitAsync(_fd, write: false, deadline, ct).ConfigureAwait(false)) return -1;
        }
    }

    /// <summary>One blocking read from the raw socket, after a <c>poll</c> when there is a deadline; -1 if it passed.</summary>
    private int ReadSocket(Span<byte> into, Deadline deadline)
    {
        if (_fd >= 0) return Platform.Unix.SocketIo.Receive(_fd, into, deadline.RemainingMilliseconds);
        if (!deadline.IsInfinite && !_socket!.Poll(Micros(deadline), SelectMode.SelectRead)) return -1;
        return _socket!.Receive(into, SocketFlags.None);
    }

    private static int Micros(Deadline deadline)
        => deadline.IsInfinite ? -1 : (int)Math.Min(int.MaxValue, deadline.Remaining.Ticks / 10);

    // ---------------------------------------------------------------- closing and errors

    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        try { _socket?.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _stream.Dispose(); // wakes blocked reads and writes: they fail, and report ObjectDisposedException
        _socket?.Dispose();
    }

    private void ThrowIfClosed()
    {
        if (_closed) throw Closed();
    }

    private static ObjectDisposedException Closed() => new(nameof(Connection), "This connection is closed.");

    /// <summary>A protocol error: the framing can no longer be trusted, so the channel closes.</summary>
    private IpcProtocolException Fail(string message)
    {
        Dispose();
        return new IpcProtocolException(message);
    }

    private static IpcPipeClosedException EndOfStream(bool midMessage) => new(midMessage
        ? "The connection was closed by the peer in the middle of a message."
        : "The other end of the connection is closed and everything it sent has been received (end of stream).");

    private bool IsTransportError(Exception e)
        => e is IOException or SocketException || (e is ObjectDisposedException && _closed);

    private Exception Translate(Exception e, bool sending)
    {
        if (_closed) return Closed();
        var inner = e as SocketException ?? e.InnerException as SocketException;
        return new IpcPipeClosedException(sending
            ? $"The other end of the connection is gone: nothing more can be sent ({inner?.SocketErrorCode.ToString() ?? e.Message})."
            : $"The connection broke while receiving ({inner?.SocketErrorCode.ToString() ?? e.Message}).");
    }
}
