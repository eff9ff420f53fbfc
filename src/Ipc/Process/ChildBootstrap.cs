using System.Reflection;
using System.Text;
using NativeIpc.Os;
using NativeIpc.Serialization;

namespace NativeIpc.Process;

/// <summary>The child's side of a launch: read the spec, find the target, decode the arguments, report
/// "running" (or the reason it cannot), run the target, and exit with Python's codes (0, 1 after an
/// unhandled exception, or what the target passed to <see cref="Environment.Exit"/>).</summary>
internal static class ChildBootstrap
{
    /// <summary>Status bytes: R = target found and arguments decoded; E + UTF-8 message = could not start.</summary>
    public const byte Running = (byte)'R';
    public const byte Failed = (byte)'E';

    public static string? PendingChannel => Environment.GetEnvironmentVariable(IProcessLauncher.ChannelVariable);

    /// <summary>Makes a standby child's working directory and environment those of the parent at <c>Start</c>.</summary>
    private static void ApplyContext(string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        Directory.SetCurrentDirectory(workingDirectory);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (!environment.ContainsKey((string)e.Key)) Environment.SetEnvironmentVariable((string)e.Key, null);
        foreach (var (k, v) in environment)
            if (k != IProcessLauncher.ChannelVariable && k != ChildCommand.StartupHooksVariable && Environment.GetEnvironmentVariable(k) != v)
                Environment.SetEnvironmentVariable(k, v);
    }

    /// <summary>Runs the target named on the inherited channel, then exits the process. Never returns.</summary>
    public static void RunAndExit(string channel)
    {
        // Scrub what made us a child, so programs we start are not mistaken for NativeIpc children.
        Environment.SetEnvironmentVariable(IProcessLauncher.ChannelVariable, null);
        Environment.SetEnvironmentVariable(ChildCommand.StartupHooksVariable, null);

        var (specBytes, report) = OsLayer.Launcher.OpenChildChannel(channel);
        if (specBytes.Length == 0) Environment.Exit(0); // a standby child its parent no longer needs (or a parent that died)
        MethodInfo method;
        object? instance;
        object?[] args;
        string name = "child";
        try
        {
            using var r = new BinaryReader(new MemoryStream(specBytes));
            var spec = LaunchSpec.Parse(r);
            name = spec.Name;
            ProcessIdentity.Name = spec.Name;
            ProcessIdentity.Daemon = spec.Daemon;
            ProcessIdentity.Parent = new ParentRole(spec.ParentName, spec.ParentPid, spec.ParentOwner);
            ProcessIdentity.Identity = spec.Identity;
            if (spec.Context is { } context) ApplyContext(context.WorkingDirectory, context.Environment);
            if (spec.Daemon && !OsLayer.Launcher.BindToParentLifetime(spec.ParentPid))
                Environment.Exit(1); // parent died while we started: a daemon does not outlive it
            (method, instance) = spec.Target.Resolve();
            args = ArgumentCodec.ReadArguments(r, method.GetParameters(), spec.Target.DisplayName);
        }
        catch (Exception e)
        {
            string message = e is IpcException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            report([Failed, .. Encoding.UTF8.GetBytes(message)]);
            Console.Error.WriteLine($"Process {name}: could not start: {message}");
            Environment.Exit(1);
            return;
        }
        report([Running]);

        int code = 0;
        try
        {
            method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, args, null);
        }
        catch (Exception e)
        {
            // Python prints the traceback of an uncaught exception to stderr and exits with 1.
            Console.Error.WriteLine($"Process {name}:");
            Console.Error.WriteLine(e.ToString());
            code = 1;
        }
        Console.Out.Flush();
        Console.Error.Flush();
        Environment.Exit(code);
    }
}
