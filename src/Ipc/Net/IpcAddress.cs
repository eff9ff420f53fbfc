using System.Net;
using System.Net.Sockets;

namespace NativeIpc;

/// <summary>Where a <see cref="Listener"/> listens and a <see cref="Client"/> connects: a TCP host and port, a Unix
/// socket path (also Linux's abstract namespace), or a Windows named pipe. Python's <c>address</c> argument.</summary>
/// <remarks>Python: the address of multiprocessing.connection.Listener / Client (a (host, port) tuple, a path, or
/// r'\\.\pipe\name')</remarks>
public sealed class IpcAddress : IEquatable<IpcAddress>
{
    private IpcAddress(IpcAddressFamily family, string? host, int port, string? path)
    {
        Family = family;
        Host = host;
        Port = port;
        Path = path;
    }

    /// <summary>The kind of address.</summary>
    /// <remarks>Python: family ('AF_INET', 'AF_UNIX', 'AF_PIPE')</remarks>
    public IpcAddressFamily Family { get; }

    /// <summary>TCP: the host name or IP address; null otherwise.</summary>
    public string? Host { get; }

    /// <summary>TCP: the port (0 before a listener picked one); 0 otherwise.</summary>
    public int Port { get; }

    /// <summary>Unix socket: the path, or the name in the abstract namespace (without the leading NUL); named pipe:
    /// the pipe name (without <c>\\.\pipe\</c>); null for TCP.</summary>
    public string? Path { get; }

    /// <summary>A TCP address. Port 0 lets a <see cref="Listener"/> pick a free port (read it back from
    /// <see cref="Listener.Address"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 0..65535.</exception>
    /// <remarks>Python: ('host', port)</remarks>
    public static IpcAddress Tcp(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if ((uint)port > IPEndPoint.MaxPort) throw new ArgumentOutOfRangeException(nameof(port), port, "A TCP port is 0..65535.");
        return new(IpcAddressFamily.Tcp, host, port, null);
    }

    /// <summary>A Unix domain socket at a file system path (the listener creates the file and removes it when disposed).</summary>
    /// <remarks>Python: '/path/to/socket'</remarks>
    public static IpcAddress Unix(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new(IpcAddressFamily.Unix, null, 0, path);
    }

    /// <summary>A Unix domain socket in Linux's abstract namespace: no file; the name goes away with the listener.</summary>
    /// <remarks>Python: '\0name'</remarks>
    public static IpcAddress UnixAbstract(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(IpcAddressFamily.UnixAbstract, null, 0, name);
    }

    /// <summary>A Windows named pipe <c>\\.\pipe\<paramref name="name"/></c>.</summary>
    /// <remarks>Python: r'\\.\pipe\name'</remarks>
    public static IpcAddress NamedPipe(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        const string prefix = @"\\.\pipe\";
        return new(IpcAddressFamily.NamedPipe, null, 0, name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? name[prefix.Length..] : name);
    }

    /// <summary>Reads an address the way Python spells it: <c>host:port</c> (IPv6 as <c>[::1]:port</c>),
    /// <c>\\.\pipe\name</c>, <c>\0name</c> or <c>@name</c> (abstract), else a Unix socket path.</summary>
    /// <exception cref="FormatException">A <c>host:port</c> whose port is not a number.</exception>
    public static IpcAddress Parse(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (address.StartsWith(@"\\.\pipe\", StringComparison.OrdinalIgnoreCase)) return NamedPipe(address);
        if (address[0] is '\0' or '@') return UnixAbstract(address[1..]);
        if (address.Contains('/') || !address.Contains(':')) return Unix(address);
        int colon = address.LastIndexOf(':');
        string host = address[..colon].Trim('[', ']');
        return int.TryParse(address.AsSpan(colon + 1), out int port)
            ? Tcp(host, port)
            : throw new FormatException($"'{address}' is neither host:port nor a socket path.");
    }

    /// <summary>The same address with another port (the one a listener bound).</summary>
    internal IpcAddress WithPort(int port) => new(Family, Host, port, Path);

    /// <summary>The socket end point of a Unix or TCP address (TCP host names resolve to their first address).</summary>
    internal EndPoint ToEndPoint() => Family switch
    {
        IpcAddressFamily.Tcp => IPAddress.TryParse(Host, out var ip)
            ? new IPEndPoint(ip, Port)
            : new IPEndPoint(Dns.GetHostAddresses(Host!).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First(), Port),
        IpcAddressFamily.Unix => new UnixDomainSocketEndPoint(Path!),
        IpcAddressFamily.UnixAbstract => new UnixDomainSocketEndPoint("\0" + Path),
        _ => throw new PlatformNotSupportedException("A named pipe has no socket end point."),
    };

    /// <inheritdoc/>
    public override string ToString() => Family switch
    {
        IpcAddressFamily.Tcp => Host!.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}",
        IpcAddressFamily.UnixAbstract => "@" + Path,
        IpcAddressFamily.NamedPipe => @"\\.\pipe\" + Path,
        _ => Path!,
    };

    /// <inheritdoc/>
    public bool Equals(IpcAddress? other)
        => other is not null && Family == other.Family && Port == other.Port && Host == other.Host && Path == other.Path;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as IpcAddress);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Family, Host, Port, Path);
}
