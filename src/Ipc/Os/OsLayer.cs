namespace NativeIpc.Os;

/// <summary>Picks the platform layer once.</summary>
internal static class OsLayer
{
    /// <summary>The process launcher for this operating system.</summary>
    public static IProcessLauncher Launcher { get; } = Create();

    private static IProcessLauncher Create()
    {
        if (OperatingSystem.IsWindows()) return new Windows.WindowsProcessLauncher();
        if (OperatingSystem.IsLinux()) return new Unix.UnixProcessLauncher();
        throw new PlatformNotSupportedException("NativeIpc starts processes on Linux and Windows.");
    }
}
