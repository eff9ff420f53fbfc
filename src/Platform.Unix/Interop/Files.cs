using System.Runtime.InteropServices;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>File descriptors: pipe2, read, write, poll, fcntl. Tmds.LibC declares them; these take the owned
/// descriptor as a <see cref="SafeFd"/> and hold it for the call.</summary>
internal static unsafe partial class Files
{
    public static int pipe2(int* fds, int flags) => LibC.pipe2(fds, flags);

    public static nint read(SafeFd fd, void* buf, nuint count)
    {
        using var l = fd.Use();
        return Direct.read(l.Fd, buf, count);
    }

    public static nint write(SafeFd fd, void* buf, nuint count)
    {
        using var l = fd.Use();
        return Direct.write(l.Fd, buf, count);
    }

    public static int fcntl(SafeFd fd, int cmd, int arg)
    {
        using var l = fd.Use();
        return LibC.fcntl(l.Fd, cmd, arg);
    }

    // Hand-written: Tmds.LibC declares poll without SetLastError, so its EINTR could not be told from other errors.
    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int poll(pollfd* fds, nuint nfds, int timeout);
}
