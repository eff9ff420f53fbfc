using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>File descriptors: pipe2, read, write, close, poll, fcntl.</summary>
internal static unsafe partial class Files
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const short POLLIN = 0x1;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct pollfd
    {
        public int fd;
        public short events;
        public short revents;
    }

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint read(int fd, void* buf, nuint count);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint write(int fd, void* buf, nuint count);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int poll(pollfd* fds, nuint nfds, int timeout);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);
}
