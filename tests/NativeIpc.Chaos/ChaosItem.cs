using System.Buffers.Binary;
using L = NativeIpc.Chaos.ItemLayout;

namespace NativeIpc.Chaos;

/// <summary>Makes and checks items that say who made them: (producer incarnation, sequence number), plus a payload
/// and a checksum, so the end-of-run ledger can tell torn, duplicated and missing items apart.</summary>
internal static class ChaosItem
{
    /// <summary>Payload length for an item: mostly small, some of a few KiB (so records wrap the ring), and every
    /// <paramref name="bigEvery"/>-th one larger than a 64 KiB ring (0: never).</summary>
    public static int PayloadLength(int incarnation, long sequence, int bigEvery)
    {
        ulong h = Mix((ulong)incarnation << 40 ^ (ulong)sequence);
        if (bigEvery > 0 && sequence % bigEvery == bigEvery - 1) return 96 * 1024 + (int)(h % 4096UL);
        return (int)((h >> 8) % ((h % 16) == 0 ? 4096UL : 200UL));
    }

    public static byte[] Make(int incarnation, long sequence, int payloadLength)
    {
        var item = new byte[L.HeaderSize + payloadLength];
        BinaryPrimitives.WriteInt32LittleEndian(item.AsSpan(L.IncarnationOffset), incarnation);
        BinaryPrimitives.WriteInt64LittleEndian(item.AsSpan(L.SequenceOffset), sequence);
        BinaryPrimitives.WriteInt32LittleEndian(item.AsSpan(L.LengthOffset), payloadLength);
        ulong x = Mix((ulong)incarnation * 0x9E37_79B9 ^ (ulong)sequence);
        var payload = item.AsSpan(L.HeaderSize);
        for (int i = 0; i < payload.Length; i++)
        {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            payload[i] = (byte)(x >> 56);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(item.AsSpan(L.ChecksumOffset), Checksum(item));
        return item;
    }

    /// <summary>False when the item is torn: wrong length, wrong checksum.</summary>
    public static bool TryRead(ReadOnlySpan<byte> item, out int incarnation, out long sequence)
    {
        incarnation = 0;
        sequence = 0;
        if (item.Length < L.HeaderSize) return false;
        int length = BinaryPrimitives.ReadInt32LittleEndian(item[L.LengthOffset..]);
        if (length != item.Length - L.HeaderSize) return false;
        if (BinaryPrimitives.ReadUInt64LittleEndian(item[L.ChecksumOffset..]) != Checksum(item)) return false;
        incarnation = BinaryPrimitives.ReadInt32LittleEndian(item[L.IncarnationOffset..]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(item[L.SequenceOffset..]);
        return true;
    }

    /// <summary>A value a pool task returns for its input: the parent checks it came from the right input.</summary>
    public static long Answer(long input) => (long)(Mix((ulong)input) >> 1);

    private static ulong Checksum(ReadOnlySpan<byte> item)
    {
        ulong h = 14695981039346656037UL; // FNV-1a
        foreach (byte b in item[..L.ChecksumOffset]) h = (h ^ b) * 1099511628211UL;
        foreach (byte b in item[L.HeaderSize..]) h = (h ^ b) * 1099511628211UL;
        return h;
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33; x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33; x *= 0xC4CEB9FE1A85EC53UL;
        return x ^ (x >> 33);
    }
}
