using System.Net.Sockets;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Baseline;

/// <summary>A Unix domain stream socket (System.Net.Sockets) to a child started with IpcProcess, which gets the
/// socket's path as an argument.</summary>
internal sealed class UnixSocketTransport : ITransport
{
    public string Name => ".NET UDS";

    /// <summary>Windows without AF_UNIX (Wine): the rows say so (<see cref="UnixSockets"/>).</summary>
    public string? Unavailable => UnixSockets.Unavailable;

    public ChildConnection Start(string role, int rounds, int count, int size)
    {
        string path = Path.Combine(Path.GetTempPath(), $"nipc-compare-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var child = IpcProcess.Start(ChildMain, path, role, rounds, count, size);
        Socket socket;
        try { socket = listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult(); }
        catch { child.Kill(); throw; }
        finally { File.Delete(path); }
        var stream = new NetworkStream(socket, ownsSocket: true);
        return new ChildConnection(stream, new ShutdownOnDispose(socket, stream), () =>
        {
            if (!child.Join(TimeSpan.FromSeconds(30))) child.Kill();
            if (child.ExitCode != 0) throw new InvalidOperationException($"Baseline child exited with code {child.ExitCode}.");
            child.Dispose();
        }, child.Kill);
    }

    /// <summary>The child: an IpcProcess target.</summary>
    public static void ChildMain(string path, string role, int rounds, int count, int size)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        using var stream = new NetworkStream(socket);
        StreamChild.Run(stream, stream, role, rounds, count, size);
    }

    /// <summary>The write side of a socket: disposing it sends EOF (shutdown) without closing the read side.</summary>
    private sealed class ShutdownOnDispose(Socket socket, Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing) try { socket.Shutdown(SocketShutdown.Send); } catch (ObjectDisposedException) { } catch (SocketException) { }
            base.Dispose(disposing);
        }
    }
}
