namespace NativeIpc.Tests.Pipes;

/// <summary>Targets the pipe tests run in children.</summary>
public static class PipeChildTargets
{
    /// <summary>Receives strings and sends them back upper-cased until end of stream.</summary>
    public static void EchoUpper(Connection conn)
    {
        try
        {
            while (true) conn.Send(conn.Recv<string>(TimeSpan.FromSeconds(30)).ToUpperInvariant());
        }
        catch (IpcPipeClosedException) { }
        conn.Close();
    }

    /// <summary>Sends count numbers then closes its end.</summary>
    public static void SendNumbersAndClose(Connection conn, int count)
    {
        for (int i = 0; i < count; i++) conn.Send(i);
        conn.Close();
    }

    /// <summary>Sends one message, then holds the end open until killed.</summary>
    public static void SendOneAndHang(Connection conn)
    {
        conn.Send(42);
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>Sends every message's bytes back until end of stream.</summary>
    public static void EchoBytes(Connection conn)
    {
        try
        {
            while (true) conn.SendBytes(conn.RecvBytes(TimeSpan.FromSeconds(30)));
        }
        catch (IpcPipeClosedException) { }
        conn.Close();
    }
}
