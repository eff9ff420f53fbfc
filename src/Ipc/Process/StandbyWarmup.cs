using System.Reflection;
using NativeIpc.Serialization;

namespace NativeIpc.Process;

/// <summary>What a standby child does while it waits for its spec: runs the bootstrap's own path once on a stand-in
/// target (spec parse, context, target lookup, argument decoding, reflection invoke) and opens the console writers, so
/// the JIT and the type loader have done that work before a start waits for it. Nothing here changes the process's
/// state: the context applied is the one it already has, and the stand-in target does nothing.</summary>
internal static class StandbyWarmup
{
    public static void Run()
    {
        try
        {
            var target = TargetMethod.Describe(StandIn, out var parameters);
            object?[] args = [1, 2L, 0.5, "warm", new byte[] { 1 }, new[] { 1.0 }, true];
            var context = (Environment.CurrentDirectory, (IReadOnlyDictionary<string, string>)CurrentEnvironment());
            var spec = new LaunchSpec("MainProcess", 0, 0, "standby", false, "0", target) { Context = context };
            byte[] bytes = spec.Build(args, parameters);
            using var r = new BinaryReader(new MemoryStream(bytes));
            var parsed = LaunchSpec.Parse(r);
            if (parsed.Context is { } c) ChildBootstrap.ApplyContext(c.WorkingDirectory, c.Environment);
            var (method, instance) = parsed.Target.Resolve();
            var decoded = ArgumentCodec.ReadArguments(r, method.GetParameters(), parsed.Target.DisplayName);
            method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, decoded, null);
            ForegroundThreads.Warm();
            _ = Console.Out;
            _ = Console.Error;
            Console.Out.Flush();
            Console.Error.Flush();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Warming is an optimisation: whatever fails here fails again, reported, when the real spec arrives.
        }
    }

    private static Dictionary<string, string> CurrentEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            env[(string)e.Key] = (string?)e.Value ?? "";
        return env;
    }

    private static void StandIn(int a, long b, double c, string d, byte[] e, double[] f, bool g) { }
}
