// A C# Listener serving Python clients: run this, then `python3 client.py 127.0.0.1 6000 secret` (any number of
// times, also from another machine with the right address). Each client sends numbers with send_bytes; the service
// answers each with its square, and "bye" ends that client's session. With --once the service spawns one python3
// client itself and exits when it is done (what CI runs).
using System.Diagnostics;
using System.Text;
using NativeIpc;

bool once = args.Contains("--once");
int port = once ? 0 : 6000;
byte[] key = "secret"u8.ToArray();

using var listener = new Listener(IpcAddress.Tcp("127.0.0.1", port), key);
Console.WriteLine($"serving on {listener.Address}; try: python3 client.py {listener.Address.Host} {listener.Address.Port} secret");

Process? python = null;
if (once)
{
    string script = Path.Combine(AppContext.BaseDirectory, "client.py");
    python = Process.Start(new ProcessStartInfo("python3", [script, listener.Address.Host!, listener.Address.Port.ToString(), "secret"]));
}

if (once)
{
    using Connection client = listener.Accept(TimeSpan.FromSeconds(30));
    Serve(client);
}
else
{
    while (true)
    {
        Connection client = await listener.AcceptAsync(); // each client served on its own task; no thread waits idle
        _ = Task.Run(() => { using (client) Serve(client); });
    }
}

if (python is not null && !python.WaitForExit(30_000)) python.Kill();
return python?.ExitCode ?? 0;

static void Serve(Connection client)
{
    try
    {
        while (true)
        {
            string text = Encoding.UTF8.GetString(client.RecvBytes());
            if (text == "bye") break;
            long n = long.Parse(text);
            client.SendBytes(Encoding.UTF8.GetBytes((n * n).ToString()));
        }
    }
    catch (IpcPipeClosedException) { } // the client went away
    catch (ObjectDisposedException) { }
}
