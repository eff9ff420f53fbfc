using System.Runtime.Versioning;

namespace NativeIpc.Os.Windows;

/// <summary>Windows launcher (placeholder until the Windows layer lands).</summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsProcessLauncher : IProcessLauncher
{
    public IChildProcess Spawn(ChildLaunch launch) => throw new PlatformNotSupportedException();
    public (byte[] Spec, Action<byte[]> ReportStatus) OpenChildChannel(string channel) => throw new PlatformNotSupportedException();
    public bool BindToParentLifetime(int parentPid) => throw new PlatformNotSupportedException();
    public bool IsRunning(int pid) => throw new PlatformNotSupportedException();
}
