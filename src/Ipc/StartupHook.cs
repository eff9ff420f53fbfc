using NativeIpc.Process;

/// <summary>Runtime startup hook (named in DOTNET_STARTUP_HOOKS by the parent): in a NativeIpc child it runs the
/// target and exits before the program's <c>Main</c> would start. Elsewhere it does nothing.</summary>
internal static class StartupHook
{
    /// <summary>Called by the runtime before <c>Main</c>.</summary>
    public static void Initialize()
    {
        StartTrace.Mark("startup hook");
        if (ChildBootstrap.PendingChannel is { } channel) ChildBootstrap.RunAndExit(channel);
    }
}
