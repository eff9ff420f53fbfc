namespace NativeIpc.Tests.Net;

/// <summary>Targets the socket tests run in child processes (which connect; nothing is inherited).</summary>
public static class NetChildTargets
{
    /// <summary>Connects to a listener and sends back each string upper-cased until end of stream.</summary>
    public static void ConnectAndEchoUpper(string address, string keyHex)
    {
        using var conn = Client.Connect(IpcAddress.Parse(address), Convert.FromHexString(keyHex), TimeSpan.FromSeconds(30));
        try
        {
            while (true) conn.Send(conn.Recv<string>(TimeSpan.FromSeconds(30)).ToUpperInvariant());
        }
        catch (IpcPipeClosedException) { }
    }

    /// <summary>Connects with a key; exits 3 when the listener rejects it, 0 if it was let in.</summary>
    public static void ConnectExpectingRejection(string address, string keyHex)
    {
        try
        {
            using var conn = Client.Connect(IpcAddress.Parse(address), Convert.FromHexString(keyHex), TimeSpan.FromSeconds(30));
        }
        catch (IpcAuthenticationException) { Environment.Exit(3); }
    }
}
