using System.Globalization;
using System.Security.Cryptography;

namespace NativeIpc.Memory;

/// <summary>Generated segment names: <c>nipc-&lt;creator owner id&gt;-&lt;16 random hex&gt;</c>. Unguessable, and they say who
/// made them, so a sweep can remove leftovers of dead creators and the crash tracker can match its own.</summary>
internal static class SegmentNames
{
    public const string Prefix = "nipc-";

    /// <summary>Prefix of every name this process generates.</summary>
    public static string OwnPrefix => $"{Prefix}{ProcessLiveness.Self}-";

    public static string New() => OwnPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A name no tracker or sweep matches: for segments meant to outlive their creator.</summary>
    public static string NewUntracked() => Prefix + "keep-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The creator's owner id (<see cref="ProcessLiveness.Self"/> of the process that generated the name),
    /// or null for any other name.</summary>
    public static int? CreatorOwner(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        int dash = name.IndexOf('-', Prefix.Length);
        return dash > 0 && int.TryParse(name.AsSpan(Prefix.Length, dash - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int owner) && owner > 0 ? owner : null;
    }
}
