namespace NativeIpc;

/// <summary>The kind of an <see cref="IpcAddress"/>.</summary>
/// <remarks>Python: multiprocessing.connection families ('AF_INET', 'AF_UNIX', 'AF_PIPE')</remarks>
public enum IpcAddressFamily
{
    /// <summary>TCP (IPv4 or IPv6): Python's AF_INET.</summary>
    Tcp,

    /// <summary>A Unix domain socket at a file system path: Python's AF_UNIX.</summary>
    Unix,

    /// <summary>A Unix domain socket in Linux's abstract namespace (Python: an AF_UNIX address starting with NUL).</summary>
    UnixAbstract,

    /// <summary>A Windows named pipe: Python's AF_PIPE.</summary>
    NamedPipe,
}
