using System.Reflection;

namespace NativeIpc.Process;

/// <summary>Where an assembly's file is, from the runtime's trusted-platform-assembly list (every assembly of the app's
/// deps.json, by path) rather than <c>Assembly.Location</c>, which the single-file/NativeAOT analysis rejects.
/// Empty when the assembly is not a file of the app: NativeAOT, a single-file bundle, or one loaded by hand.</summary>
internal static class AssemblyFiles
{
    private static readonly Lazy<Dictionary<string, string>> s_trusted = new(() =>
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            byName.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        return byName;
    });

    /// <summary>The file <paramref name="assembly"/> was loaded from, or "" when it has none the runtime lists.</summary>
    public static string PathOf(Assembly assembly)
        => assembly.GetName().Name is { } name && s_trusted.Value.TryGetValue(name, out var path) ? path : "";
}
