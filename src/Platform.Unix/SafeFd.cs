using System.Runtime.InteropServices;
using F = NativeIpc.Platform.Unix.Interop.Files;

namespace NativeIpc.Platform.Unix;

/// <summary>An owned file descriptor, closed exactly once.</summary>
public sealed class SafeFd : SafeHandle
{
    /// <summary>Wraps <paramref name="fd"/>; closes it on dispose when <paramref name="ownsHandle"/>.</summary>
    public SafeFd(int fd, bool ownsHandle = true) : base(-1, ownsHandle) => SetHandle(fd);

    /// <summary>The descriptor number.</summary>
    public int Fd => (int)handle;

    /// <inheritdoc/>
    public override bool IsInvalid => (int)handle < 0;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => F.close((int)handle) == 0;
}
