using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace NativeIpc.Manager;

/// <summary>Writes a manager request or reply: little-endian integers, byte strings with an i32 length, UTF-8 strings.</summary>
internal sealed class ManagerMessage
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);

    public static ManagerMessage Request(ManagerOp op, int id = -1)
    {
        var m = new ManagerMessage().U8((byte)op);
        return id >= 0 ? m.I32(id) : m;
    }

    public static ManagerMessage Reply(ManagerStatus status = ManagerStatus.Ok) => new ManagerMessage().U8((byte)status);

    /// <summary>A message the server sends on a lease connection.</summary>
    public static ManagerMessage Push(LeasePush kind) => new ManagerMessage().U8((byte)kind);

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    public ManagerMessage U8(byte v)
    {
        _buffer.GetSpan(1)[0] = v;
        _buffer.Advance(1);
        return this;
    }

    public ManagerMessage Bool(bool v) => U8(v ? (byte)1 : (byte)0);

    public ManagerMessage I32(int v)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), v);
        _buffer.Advance(4);
        return this;
    }

    public ManagerMessage U32(uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), v);
        _buffer.Advance(4);
        return this;
    }

    public ManagerMessage I64(long v)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), v);
        _buffer.Advance(8);
        return this;
    }

    public ManagerMessage Bytes(ReadOnlySpan<byte> v)
    {
        I32(v.Length);
        _buffer.Write(v);
        return this;
    }

    public ManagerMessage Str(string v) => Bytes(Encoding.UTF8.GetBytes(v));

    /// <summary>Appends bytes as they are (no length).</summary>
    public ManagerMessage Raw(ReadOnlySpan<byte> v)
    {
        _buffer.Write(v);
        return this;
    }
}

/// <summary>Reads what <see cref="ManagerMessage"/> wrote; a short or inconsistent message is an
/// <see cref="IpcProtocolException"/> (the peer is not trusted).</summary>
internal ref struct ManagerReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    public byte U8() => Take(1)[0];

    public bool Bool() => U8() != 0;

    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> Bytes()
    {
        int n = I32();
        if (n < 0) throw Bad();
        return Take(n);
    }

    public string Str() => Encoding.UTF8.GetString(Bytes());

    /// <summary>Everything not read yet.</summary>
    public ReadOnlySpan<byte> Rest() => Take(_rest.Length);

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _rest.Length) throw Bad();
        var part = _rest[..n];
        _rest = _rest[n..];
        return part;
    }

    private static IpcProtocolException Bad() => new("A manager message is shorter than its contents say.");
}
