using System.Net.Sockets;

namespace NativeIpc.Compare.Core;

/// <summary>Whether this machine has Unix domain sockets, for the rows that use them (.NET UDS, net-unix-rtt).
/// Unix always has them. Windows has AF_UNIX since Windows 10 1803, Wine has none: there a socket is made, bound and
/// listened on once, and a failure makes those rows n/a with its message.</summary>
internal static class UnixSockets
{
    private static readonly Lazy<string?> s_unavailable = new(Probe);

    /// <summary>Null when Unix sockets work; else the cell text ("n/a: …").</summary>
    public static string? Unavailable => s_unavailable.Value;

    private static string? Probe()
    {
        if (!OperatingSystem.IsWindows()) return null;
        string path = Path.Combine(Path.GetTempPath(), $"nipc-compare-probe-{Guid.NewGuid():N}.sock");
        try
        {
            if (!Socket.OSSupportsUnixDomainSockets) return "n/a: no Unix domain sockets on this system";
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Bind(new UnixDomainSocketEndPoint(path));
            s.Listen(1);
            return null;
        }
        catch (Exception e) when (e is SocketException or NotSupportedException or PlatformNotSupportedException)
        {
            return $"n/a: no Unix domain sockets here ({e.Message})";
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
