using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>Unix-domain sockets for passing descriptors (SCM_RIGHTS): socket, bind, listen, accept4, connect, sendmsg,
/// recvmsg, getsockopt, as Linux declares them. Declared here (with SetLastError) rather than taken from Tmds.LibC, so
/// errno survives to the caller; the structures are Linux's on 64-bit targets.</summary>
internal static unsafe partial class Sockets
{
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_PEERCRED = 17;
    public const int SCM_RIGHTS = 1;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const int MSG_CTRUNC = 0x8;
    public const int F_DUPFD_CLOEXEC = 1030;
    public const int SunPathLength = 108;

    [StructLayout(LayoutKind.Sequential)]
    public struct sockaddr_un
    {
        public ushort sun_family;
        public fixed byte sun_path[SunPathLength];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct iovec
    {
        public void* iov_base;
        public nuint iov_len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct msghdr
    {
        public void* msg_name;
        public uint msg_namelen;
        public iovec* msg_iov;
        public nuint msg_iovlen;
        public void* msg_control;
        public nuint msg_controllen;
        public int msg_flags;
    }

    /// <summary>A control message header; the data (here one int descriptor) follows, aligned to a pointer.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct cmsghdr
    {
        public nuint cmsg_len;
        public int cmsg_level;
        public int cmsg_type;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ucred
    {
        public int pid;
        public uint uid;
        public uint gid;
    }

    /// <summary>CMSG_LEN(sizeof(int)): header plus one descriptor.</summary>
    public static int CmsgLenOneFd => sizeof(cmsghdr) + sizeof(int);

    /// <summary>CMSG_SPACE(sizeof(int)): the above rounded up to pointer alignment.</summary>
    public static int CmsgSpaceOneFd => (CmsgLenOneFd + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int bind(int fd, sockaddr_un* addr, uint len);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int listen(int fd, int backlog);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int accept4(int fd, void* addr, uint* len, int flags);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int connect(int fd, sockaddr_un* addr, uint len);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint sendmsg(int fd, msghdr* msg, int flags);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint recvmsg(int fd, msghdr* msg, int flags);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int name, void* value, uint* len);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial uint getuid();

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    /// <summary>recv on a socket descriptor another owner (a .NET <c>Socket</c>) keeps open.</summary>
    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint recv(int sockfd, void* buf, nuint len, int flags);

    /// <summary>send on a socket descriptor another owner keeps open.</summary>
    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint send(int sockfd, void* buf, nuint len, int flags);

    /// <summary>MSG_DONTWAIT: this one call does not block (EAGAIN instead).</summary>
    public const int MSG_DONTWAIT = 0x40;
}
