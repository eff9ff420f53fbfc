using System.Globalization;
using System.Security.Cryptography;

namespace NativeIpc.Memory;

/// <summary>Generated segment names: <c>nipc-o&lt;creator owner id&gt;-&lt;16 random hex&gt;</c>. Unguessable, and they say who
/// made them, so a sweep can remove leftovers of dead creators and the crash tracker can match its own. The 'o'
/// marks an owner id (<see cref="ProcessLiveness"/>): names of earlier versions carried a pid there
/// (<c>nipc-&lt;pid&gt;-…</c>), which this version cannot test, so it never sweeps them.</summary>
internal static class SegmentNames
{
    public const string Prefix = "nipc-";

    /// <summary>Marks the owner id in a generated name.</summary>
    public const char OwnerMark = 'o';

    /// <summary>Prefix of every name this process generates.</summary>
    public static string OwnPrefix => $"{Prefix}{OwnerMark}{ProcessLiveness.Self}-";

    public static string New() => OwnPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A name no tracker or sweep matches: for segments meant to outlive their creator.</summary>
    public static string NewUntracked() => Prefix + "keep-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The creator's owner id (<see cref="ProcessLiveness.Self"/> of the process that generated the name),
    /// or null for any other name.</summary>
    public static int? CreatorOwner(string name)
    {
        int start = Prefix.Length + 1;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length <= start || name[start - 1] != OwnerMark) return null;
        int dash = name.IndexOf('-', start);
        return dash > 0 && int.TryParse(name.AsSpan(start, dash - start), NumberStyles.None, CultureInfo.InvariantCulture, out int owner) && owner > 0 ? owner : null;
    }
}
