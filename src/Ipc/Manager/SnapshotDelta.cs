using System.Runtime.InteropServices;

namespace NativeIpc.Manager;

/// <summary>A change to a snapshot's entries as a byte splice: the new entries are the old ones' first
/// <c>prefix</c> bytes, then <c>middle</c>, then the old ones' last <c>suffix</c> bytes. Setting one key of a
/// dictionary sends that entry's bytes, not the whole snapshot; found by comparing bytes, so every collection
/// operation gets one without knowing what it did.</summary>
internal static class SnapshotDelta
{
    /// <summary>The splice that turns <paramref name="old"/> into <paramref name="next"/>.</summary>
    public static (int Prefix, int Suffix) Find(ReadOnlySpan<byte> old, ReadOnlySpan<byte> next)
    {
        int prefix = old.CommonPrefixLength(next);
        int max = Math.Min(old.Length, next.Length) - prefix;
        int suffix = 0;
        // Eight bytes a step from the end (the prefix compare is vectorized; this side has no library call).
        while (suffix + 8 <= max && MemoryMarshal.Read<ulong>(old[(old.Length - suffix - 8)..]) == MemoryMarshal.Read<ulong>(next[(next.Length - suffix - 8)..]))
            suffix += 8;
        while (suffix < max && old[old.Length - suffix - 1] == next[next.Length - suffix - 1]) suffix++;
        return (prefix, suffix);
    }

    /// <summary>Applies a splice a peer sent; null when it does not fit <paramref name="old"/> or the capacity.</summary>
    public static byte[]? Apply(ReadOnlySpan<byte> old, int prefix, int suffix, ReadOnlySpan<byte> middle, long capacity)
    {
        if (prefix < 0 || suffix < 0 || (long)prefix + suffix > old.Length) return null;
        long length = (long)prefix + middle.Length + suffix;
        if (length > capacity) return null;
        var next = GC.AllocateUninitializedArray<byte>((int)length);
        old[..prefix].CopyTo(next);
        middle.CopyTo(next.AsSpan(prefix));
        old[(old.Length - suffix)..].CopyTo(next.AsSpan(prefix + middle.Length));
        return next;
    }
}
