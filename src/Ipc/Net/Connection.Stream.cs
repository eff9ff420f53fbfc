using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NativeIpc.Net;

namespace NativeIpc;

// A Connection over a socket or named pipe (from Listener.Accept or Client.Connect): the same public API as the
// shared-memory pipe, with Python's framing underneath. Each public member of Connection.cs starts with a one-line
// hand-over to these when _stream is set; the shared-memory path pays one null test.
public sealed partial class Connection
{
    private readonly StreamChannel? _stream;

    internal Connection(StreamChannel stream)
    {
        _stream = stream;
        _segment = null!; // never touched: every member hands over to the stream first
        _shared = null!;
        _end = -1;
    }

    /// <summary>The socket or pipe under this connection; null for a shared-memory pipe.</summary>
    internal StreamChannel? Channel => _stream;

    private void StreamSend<T>(T value)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>();
        buffer.ResetWrittenCount();
        MemoryMarshal.Write(buffer.GetSpan(TagSize), TagOf<T>.Value);
        buffer.Advance(TagSize);
        Serialize(value, buffer);
        _stream!.Send(buffer.WrittenSpan);
    }

    private async ValueTask StreamSendAsync<T>(T value, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MemoryMarshal.Write(buffer.GetSpan(TagSize), TagOf<T>.Value);
        buffer.Advance(TagSize);
        Serialize(value, buffer);
        await _stream!.SendAsync(buffer.WrittenMemory, ct).ConfigureAwait(false);
    }

    private byte[] StreamReceive(TimeSpan? timeout)
        => _stream!.Receive(Deadline.From(timeout)) ?? throw new TimeoutException($"No message arrived within {timeout}.");

    private T StreamRecv<T>(TimeSpan? timeout) => DecodeStreamMessage<T>(StreamReceive(timeout));

    private async Task<T> StreamRecvAsync<T>(CancellationToken ct)
        => DecodeStreamMessage<T>((await _stream!.ReceiveAsync(Deadline.Infinite, ct).ConfigureAwait(false))!);

    /// <summary>A typed message is its type's tag, then the serializer's bytes; anything else is kept for the right
    /// receive (raw bytes from a Python peer are read with <see cref="RecvBytes"/>).</summary>
    private T DecodeStreamMessage<T>(byte[] message)
    {
        if (message.Length < TagSize || MemoryMarshal.Read<uint>(message) != TagOf<T>.Value)
        {
            _stream!.Kept = message;
            throw new IpcSerializationException($"The next message is not a {typeof(T).Name} sent with Send<{typeof(T).Name}> (raw bytes are read with RecvBytes). It is kept.");
        }
        try { return IpcSerializers.For<T>().Deserialize(message.AsSpan(TagSize)); }
        catch (Exception e)
        {
            throw new IpcSerializationException($"The next message could not be read as a {typeof(T).Name}: {e.Message}. It was dropped.", e);
        }
    }

    private int StreamRecvInto(Span<byte> buffer, TimeSpan? timeout)
    {
        int length = _stream!.ReceiveInto(buffer, Deadline.From(timeout), out var tooLong);
        if (length < 0) throw new TimeoutException($"No message arrived within {timeout}.");
        if (tooLong is not null)
        {
            _stream.Kept = tooLong;
            throw new IpcBufferTooShortException(tooLong.Length, buffer.Length);
        }
        return length;
    }

    private void StreamClose()
    {
        _closed = true;
        _stream!.Dispose();
    }

    private string StreamToString() => $"Connection(socket{(_closed ? ", closed" : "")})";
}
