using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace NativeIpc.Process;

/// <summary>How to start another instance of this program as a NativeIpc child, independent of the working
/// directory and of our command line:
/// <list type="bullet">
/// <item>under the <c>dotnet</c> muxer (dotnet run, dotnet test): <c>dotnet exec --runtimeconfig R --depsfile D entry.dll</c>;</item>
/// <item>under an apphost: the apphost itself;</item>
/// <item>NativeAOT / single-file: the executable itself, which must call <see cref="Multiprocessing.FreezeSupport"/>.</item>
/// </list>
/// In the first two cases a startup hook in NativeIpc.dll takes over before <c>Main</c>.</summary>
internal static class ChildCommand
{
    public const string StartupHooksVariable = "DOTNET_STARTUP_HOOKS";

    private static readonly Lazy<(string Program, string[] Argv, string? Hook)> s_command = new(Compute);

    /// <summary>True when children are this same native executable (NativeAOT or single-file).</summary>
    public static bool IsSelfContainedBinary => string.IsNullOrEmpty(AssemblyFiles.PathOf(typeof(ChildCommand).Assembly));

    public static (string Program, string[] Argv, Dictionary<string, string> Env) Build(IReadOnlyDictionary<string, string>? extraEnv = null)
    {
        var (program, argv, hook) = s_command.Value;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            env[(string)e.Key] = (string?)e.Value ?? "";
        if (hook is not null)
            env[StartupHooksVariable] = env.TryGetValue(StartupHooksVariable, out var h) && h.Length > 0 ? hook + Path.PathSeparator + h : hook;
        if (extraEnv is not null) foreach (var (k, v) in extraEnv) env[k] = v;
        return (program, argv, env);
    }

    private static (string, string[], string?) Compute()
    {
        string program = Environment.ProcessPath ?? throw new PlatformNotSupportedException("The path of the running executable is unknown; cannot start a child.");
        if (IsSelfContainedBinary || !RuntimeFeature.IsDynamicCodeSupported) return (program, [program], null);

        string hook = AssemblyFiles.PathOf(typeof(ChildCommand).Assembly);
        string name = Path.GetFileNameWithoutExtension(program);
        if (!name.Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return (program, [program], hook);

        string entry = (Assembly.GetEntryAssembly() is { } entryAssembly ? AssemblyFiles.PathOf(entryAssembly) : null)
            ?? throw new PlatformNotSupportedException("No entry assembly: NativeIpc cannot start a child from this host.");
        var argv = new List<string> { program, "exec" };
        string? deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        string? config = deps is not null && deps.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase)
            ? deps[..^".deps.json".Length] + ".runtimeconfig.json" : null;
        if (config is null || !File.Exists(config)) config = Path.ChangeExtension(entry, ".runtimeconfig.json");
        if (File.Exists(config)) argv.AddRange(["--runtimeconfig", config]);
        if (deps is not null && File.Exists(deps)) argv.AddRange(["--depsfile", deps]);
        foreach (var probe in (AppContext.GetData("PROBING_DIRECTORIES") as string ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            argv.AddRange(["--additionalprobingpath", probe]);
        argv.Add(entry);
        return (program, argv.ToArray(), hook);
    }
}
