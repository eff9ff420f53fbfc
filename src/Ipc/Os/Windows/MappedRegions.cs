namespace NativeIpc.Os.Windows;

/// <summary>This process's views of named shared memory, so a word's address can be turned into a name every
/// process agrees on (segment name and offset): each process maps a segment at its own address.</summary>
internal static class MappedRegions
{
    private static readonly object s_lock = new();
    private static Region[] s_regions = []; // copy on write: lookups read without the lock

    /// <summary>A mapped view: [Start, Start + Length), with the stable hash of its segment's name.</summary>
    private readonly record struct Region(nint Start, long Length, ulong NameHash);

    /// <summary>Records a view of the segment <paramref name="name"/>.</summary>
    public static void Add(nint start, long length, string name)
    {
        lock (s_lock) s_regions = [.. s_regions, new Region(start, length, Hash(name))];
    }

    /// <summary>Forgets the view at <paramref name="start"/> (before it is unmapped).</summary>
    public static void Remove(nint start)
    {
        lock (s_lock)
        {
            int i = Array.FindIndex(s_regions, r => r.Start == start);
            if (i >= 0) s_regions = [.. s_regions[..i], .. s_regions[(i + 1)..]];
        }
    }

    /// <summary>A key for <paramref name="address"/> that is the same in every process mapping that word: the
    /// segment name's hash mixed with the offset; an address outside every shared view is private to this
    /// process and keyed by the process id and the address.</summary>
    public static ulong KeyOf(nint address)
    {
        foreach (var r in Volatile.Read(ref s_regions))
        {
            long offset = address - r.Start;
            if (offset >= 0 && offset < r.Length) return Mix(r.NameHash ^ (ulong)offset);
        }
        return Mix(((ulong)(uint)Environment.ProcessId << 48) ^ (ulong)address);
    }

    // FNV-1a: string.GetHashCode is randomized per process, this must agree across processes.
    private static ulong Hash(string name)
    {
        ulong h = 14695981039346656037;
        foreach (char c in name) { h ^= c; h *= 1099511628211; }
        return h;
    }

    // splitmix64's finalizer: neighbouring offsets land in unrelated buckets.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
