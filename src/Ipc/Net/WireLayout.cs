namespace NativeIpc.Net;

/// <summary>The bytes of one message on a socket or named pipe, exactly as CPython's
/// <c>Connection._send_bytes</c> writes them:
/// <code>
/// [ length : int32 big-endian ][ payload : length bytes ]                      length ≤ 0x7fffffff
/// [ -1 : int32 big-endian ][ length : uint64 big-endian ][ payload ]           the large form
/// </code>
/// A typed message between two NativeIpc ends puts its type tag (4 bytes) first in the payload; raw bytes
/// (<c>SendBytes</c>, Python's <c>send_bytes</c>) are the payload as is.</summary>
internal static class WireLayout
{
    /// <summary>The length prefix.</summary>
    public const int PrefixSize = 4;

    /// <summary>The prefix value that announces the large form.</summary>
    public const int LargeMarker = -1;

    /// <summary>The large form's 64-bit length after the marker.</summary>
    public const int LargeLengthSize = 8;

    /// <summary>Python's limit for any handshake message: <c>recv_bytes(256)</c>.</summary>
    public const int HandshakeMaxBytes = 256;
}
