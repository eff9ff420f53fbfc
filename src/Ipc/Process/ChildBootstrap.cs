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

    /// <summary>Makes a standby child's working directory and environment those of the parent at <c>Start</c>, in the
    /// C library's copy too, so programs the target starts natively see the same.</summary>
    internal static void ApplyContext(string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        Directory.SetCurrentDirectory(workingDirectory);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (!environment.ContainsKey((string)e.Key)) ProcessEnvironment.Set((string)e.Key, null);
        foreach (var (k, v) in environment)
            if (k != IProcessLauncher.ChannelVariable && k != ChildCommand.StartupHooksVariable && Environment.GetEnvironmentVariable(k) != v)
                ProcessEnvironment.Set(k, v);
    }

    /// <summary>Runs the target named on the inherited channel, waits for the foreground threads it started, then
    /// exits the process. Never returns.</summary>
    public static void RunAndExit(string channel)
    {
        StartTrace.Mark("bootstrap entered");
        // Take the owner id the parent reserved for us now, before anything could start a grandchild that would
        // inherit its descriptor and variable (ProcessLiveness makes both private to this process).
        _ = ProcessLiveness.Self;
        StartTrace.Mark("owner id adopted");
        if (StartTrace.Enabled) AppDomain.CurrentDomain.ProcessExit += (_, _) => StartTrace.Mark("ProcessExit handlers");
        // Scrub what made us a child, in both copies of the environment, so programs we start (managed or through
        // system()) are not mistaken for NativeIpc children waiting for a spec on descriptor 3.
        ProcessEnvironment.Set(IProcessLauncher.ChannelVariable, null);
        ProcessEnvironment.Set(ChildCommand.StartupHooksVariable, null);
        if (Environment.GetEnvironmentVariable(IProcessLauncher.StandbyVariable) is not null)
        {
            // A standby: nobody waits yet, so run the bootstrap's own path once now (JIT, type loads, console), then
            // tell the parent we are warm. A spawn with its spec waiting skips this.
            ProcessEnvironment.Set(IProcessLauncher.StandbyVariable, null);
            StandbyWarmup.Run();
            StartTrace.Mark("standby warmed");
            OsLayer.Launcher.AnnounceWaiting(channel);
        }

        var (specBytes, report) = OsLayer.Launcher.OpenChildChannel(channel);
        StartTrace.Mark("spec read");
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
            WriteError($"Process {name}: could not start: {message}");
            Environment.Exit(1);
            return;
        }
        StartTrace.Mark("spec decoded, target resolved");
        report([Running]);

        int code = 0;
        ForegroundThreads.TrackFromHere();
        try
        {
            method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, args, null);
        }
        catch (Exception e)
        {
            // Python prints the traceback of an uncaught exception to stderr and exits with 1.
            WriteError($"Process {name}:{Environment.NewLine}{e}");
            code = 1;
        }
        StartTrace.Mark("target returned");
        ForegroundThreads.WaitForAll();
        StartTrace.Mark("foreground threads done");
        FlushStandardStreams();
        StartTrace.Mark("exit");
        Environment.Exit(code);
    }

    /// <summary>Writes to stderr unless the target closed it (Python's bootstrap likewise ignores a closed stream).</summary>
    private static void WriteError(string text)
    {
        try { Console.Error.WriteLine(text); }
        catch (Exception e) when (e is ObjectDisposedException or IOException) { }
    }

    /// <summary>Flushes stdout and stderr; a stream the target closed (or whose descriptor is gone) is skipped, as
    /// Python's <c>_flush_std_streams</c> does, so the exit code stays the target's. When nothing loaded System.Console
    /// no writer exists and nothing is buffered: creating both just to flush them cost an empty target ~10 ms.</summary>
    private static void FlushStandardStreams()
    {
        if (System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported && !ConsoleLoaded()) return; // NativeAOT lists no such assembly
        foreach (var writer in new[] { Console.Out, Console.Error })
        {
            try { writer.Flush(); }
            catch (Exception e) when (e is ObjectDisposedException or IOException) { }
        }
    }

    /// <summary>True when the System.Console assembly is loaded: only then can a console writer (or one the target
    /// set with <see cref="Console.SetOut"/>) hold buffered text.</summary>
    private static bool ConsoleLoaded()
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            if (assembly.FullName is { } name && name.StartsWith("System.Console,", StringComparison.Ordinal)) return true;
        return false;
    }
}
