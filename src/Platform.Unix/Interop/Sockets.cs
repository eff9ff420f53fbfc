using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>recv and send on a socket descriptor another owner (a .NET <c>Socket</c>) keeps open.</summary>
internal static unsafe partial class Sockets
{
    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint recv(int sockfd, void* buf, nuint len, int flags);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint send(int sockfd, void* buf, nuint len, int flags);

    /// <summary>Linux's MSG_NOSIGNAL: a send to a closed peer fails with EPIPE instead of raising SIGPIPE.</summary>
    public const int MSG_NOSIGNAL = 0x4000;

    /// <summary>MSG_DONTWAIT: this one call does not block (EAGAIN instead).</summary>
    public const int MSG_DONTWAIT = 0x40;
}
