namespace NativeIpc.Demo;

/// <summary>Seed section 2, "Pipe": one child sends a message through a pipe, another receives and prints it.</summary>
public static class PipeExample
{
    public static void Sender(Connection conn)
    {
        conn.Send("Hello from sender!");
        conn.Close();
    }

    public static void Receiver(Connection conn)
    {
        var msg = conn.Recv<string>();
        Console.WriteLine($"Received message: {msg}");
        conn.Close();
    }

    public static void Run()
    {
        var (parentConn, childConn) = Multiprocessing.Pipe();
        using (parentConn)
        using (childConn)
        {
            var p1 = new IpcProcess(Sender, childConn);
            var p2 = new IpcProcess(Receiver, parentConn);
            p1.Start();
            p2.Start();
            p1.Join();
            p2.Join();
        }
    }
}
