namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>One end of a message connection as the pipe rows use it, so <see cref="PipeWorkload"/>'s timing and
/// checks do not depend on the connection type's exact API.</summary>
internal interface IMessageEnd : IDisposable
{
    /// <summary>Sends one message. Python: Connection.send_bytes</summary>
    void Send(ReadOnlySpan<byte> message);

    /// <summary>Receives one message into <paramref name="buffer"/> (grown when too small); returns its length.
    /// Python: Connection.recv_bytes_into</summary>
    int ReceiveInto(ref byte[] buffer);
}
