namespace NativeIpc.Os;

/// <summary>Picks the platform layer once.</summary>
internal static class OsLayer
{
    /// <summary>The process launcher for this operating system.</summary>
    public static IProcessLauncher Launcher { get; } = Create();

    /// <summary>Named shared memory for this operating system.</summary>
    public static ISharedMemoryProvider SharedMemory { get; } = CreateSharedMemory();

    /// <summary>Sleep/wake on shared words.</summary>
    public static IAddressWaiter Waiter { get; } = OperatingSystem.IsLinux() ? CreateFutexWaiter() : CreateEventWaiter();

    /// <summary>Process liveness by kernel objects (see <see cref="ProcessLiveness"/>).</summary>
    public static IProcessLiveness Liveness { get; } = CreateLiveness();

    private static IProcessLiveness CreateLiveness()
    {
        if (OperatingSystem.IsWindows()) return new Windows.NamedEventLiveness();
        if (OperatingSystem.IsLinux()) return new Unix.OfdLockLiveness();
        throw new PlatformNotSupportedException("NativeIpc tracks process liveness on Linux and Windows.");
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static IAddressWaiter CreateFutexWaiter() => new Unix.FutexWaiter();

    private static IAddressWaiter CreateEventWaiter()
        => OperatingSystem.IsWindows() ? new Windows.EventWaiter() : throw new PlatformNotSupportedException("NativeIpc parks threads on Linux and Windows.");

    private static ISharedMemoryProvider CreateSharedMemory()
    {
        if (OperatingSystem.IsWindows()) return new Windows.WindowsSharedMemory();
        if (OperatingSystem.IsLinux()) return new Unix.UnixSharedMemory();
        throw new PlatformNotSupportedException("NativeIpc shares memory on Linux and Windows.");
    }

    private static IProcessLauncher Create()
    {
        if (OperatingSystem.IsWindows()) return new Windows.WindowsProcessLauncher();
        if (OperatingSystem.IsLinux()) return new Unix.UnixProcessLauncher();
        throw new PlatformNotSupportedException("NativeIpc starts processes on Linux and Windows.");
    }
}
