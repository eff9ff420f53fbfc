using System.Buffers.Binary;

namespace NativeIpc.Compare.Baseline;

/// <summary>Messages over a byte stream the way a .NET developer would frame them without NativeIpc:
/// a 4-byte little-endian length, then the payload. Python's Connection.send_bytes does the same.</summary>
internal static class Framing
{
    /// <summary>One write per message (header and payload together), as a queue put must be visible at once.</summary>
    public static void Write(Stream s, ReadOnlySpan<byte> payload, byte[] scratch)
    {
        if (payload.Length + 4 > scratch.Length)
        {
            Span<byte> header = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
            s.Write(header);
            s.Write(payload);
            return;
        }
        BinaryPrimitives.WriteInt32LittleEndian(scratch, payload.Length);
        payload.CopyTo(scratch.AsSpan(4));
        s.Write(scratch, 0, payload.Length + 4);
    }

    public static int ReadLength(Stream s)
    {
        Span<byte> header = stackalloc byte[4];
        s.ReadExactly(header);
        return BinaryPrimitives.ReadInt32LittleEndian(header);
    }

    /// <summary>Reads a message into a new array, as a queue's get returns a new object.</summary>
    public static byte[] ReadNew(Stream s)
    {
        var m = new byte[ReadLength(s)];
        s.ReadExactly(m);
        return m;
    }

    /// <summary>Reads a message into <paramref name="buffer"/>, growing it when needed; returns the length.</summary>
    public static int ReadInto(Stream s, ref byte[] buffer)
    {
        int n = ReadLength(s);
        if (n > buffer.Length) buffer = new byte[n];
        s.ReadExactly(buffer, 0, n);
        return n;
    }
}
