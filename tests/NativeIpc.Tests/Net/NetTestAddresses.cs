namespace NativeIpc.Tests.Net;

/// <summary>Fresh addresses for the socket tests, and their spelling for the python scripts (tcp:H:P, unix:PATH,
/// abstract:NAME).</summary>
internal static class NetTestAddresses
{
    public static IpcAddress Tcp() => IpcAddress.Tcp("127.0.0.1", 0);

    public static IpcAddress UnixPath() => IpcAddress.Unix(Path.Combine(Path.GetTempPath(), "nipc-sock-" + Guid.NewGuid().ToString("N")[..12]));

    public static IpcAddress Abstract() => IpcAddress.UnixAbstract("nipc-test-" + Guid.NewGuid().ToString("N"));

    public static IpcAddress Of(string kind) => kind switch
    {
        "tcp" => Tcp(),
        "unix" => UnixPath(),
        "abstract" => Abstract(),
        _ => throw new ArgumentException(kind),
    };

    public static string ForPython(IpcAddress a) => a.Family switch
    {
        IpcAddressFamily.Tcp => $"tcp:{a.Host}:{a.Port}",
        IpcAddressFamily.Unix => "unix:" + a.Path,
        IpcAddressFamily.UnixAbstract => "abstract:" + a.Path,
        _ => throw new ArgumentException(a.ToString()),
    };

    public static IpcAddress FromPython(string text)
    {
        var (kind, rest) = (text[..text.IndexOf(':')], text[(text.IndexOf(':') + 1)..]);
        return kind switch
        {
            "tcp" => IpcAddress.Tcp(rest[..rest.LastIndexOf(':')], int.Parse(rest[(rest.LastIndexOf(':') + 1)..])),
            "unix" => IpcAddress.Unix(rest),
            "abstract" => IpcAddress.UnixAbstract(rest),
            _ => throw new ArgumentException(text),
        };
    }

    public static readonly byte[] Key = "the secret key"u8.ToArray();

    public static string Hex(byte[] key) => Convert.ToHexString(key).ToLowerInvariant();
}
