namespace NativeIpc.Chaos;

/// <summary>The /dev/shm check: names a NativeIpc process generates carry its owner id (<c>nipc-&lt;owner&gt;-...</c>), so
/// an entry of this run is one whose creator is this process or one of its participants. Other programs on the
/// machine (other test runs) create entries too; those are not ours and are left out.</summary>
internal sealed class ShmLeaks
{
    private const string ShmDir = "/dev/shm";
    private readonly HashSet<string> _before;

    private ShmLeaks(HashSet<string> before) => _before = before;

    public static ShmLeaks Snapshot() => new([.. Entries()]);

    /// <summary>Entries created by <paramref name="owner"/> that exist now.</summary>
    public static IEnumerable<string> EntriesOf(int owner)
    {
        string prefix = SegmentNames.PrefixOf(owner);
        return Entries().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
    }

    /// <summary>Counts entries of this run left behind, after giving crash trackers <paramref name="grace"/> to finish.</summary>
    public void Check(Tally tally, IReadOnlyCollection<int> owners, TimeSpan grace)
    {
        var ours = owners.ToHashSet();
        ours.Add(ProcessLiveness.Self);
        string[] Leaked() => Entries()
            .Where(n => !_before.Contains(n) && SegmentNames.CreatorOwner(n) is int o && ours.Contains(o)
                        && (o == ProcessLiveness.Self || !ProcessLiveness.IsAlive(o)))
            .ToArray();
        var deadline = DateTime.UtcNow + grace;
        while (Leaked().Length > 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
        foreach (string name in Leaked()) tally.LeakedEntry("shm", name, $"left by owner {SegmentNames.CreatorOwner(name)}");
    }

    private static IEnumerable<string> Entries()
        => Directory.Exists(ShmDir)
            ? Directory.EnumerateFiles(ShmDir, SegmentNames.Prefix + "*").Select(p => Path.GetFileName(p))
            : [];
}
