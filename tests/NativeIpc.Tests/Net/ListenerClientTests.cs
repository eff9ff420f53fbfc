using System.Net.Sockets;
using NUnit.Framework;

namespace NativeIpc.Tests.Net;

[TestFixture, Platform(Exclude = "Win", Reason = "Listener/Client on Windows is compiled but not verified: under Wine there are no Unix-domain sockets and Multiprocessing.Wait over a socket hangs (open defect); Linux only for now")]
public class ListenerClientTests : ChildProcessFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static byte[] Key => NetTestAddresses.Key;

    [TestCase("tcp")]
    [TestCase("unix")]
    [TestCase("abstract")]
    public void SendRecv_BetweenListenerAndClient_TypedAndBytesRoundTrip(string kind)
    {
        using var listener = new Listener(NetTestAddresses.Of(kind), Key);
        using var client = Client.Connect(listener.Address, Key, Wait);
        using var server = listener.Accept(Wait);
        client.Send("hello");
        client.Send(42);
        client.SendBytes([1, 2, 3]);
        Assert.That(server.Recv<string>(Wait), Is.EqualTo("hello"));
        Assert.That(server.Recv<int>(Wait), Is.EqualTo(42));
        Assert.That(server.RecvBytes(Wait), Is.EqualTo(new byte[] { 1, 2, 3 }));
        var big = new byte[3 << 20];
        new Random(5).NextBytes(big);
        var send = Task.Run(() => server.SendBytes(big)); // bigger than the socket's buffer: a reader must run meanwhile
        var into = new byte[big.Length];
        Assert.That(client.RecvBytesInto(into, Wait), Is.EqualTo(big.Length));
        Assert.That(send.Wait(Wait), Is.True);
        Assert.That(into, Is.EqualTo(big));
        Assert.That(server.Readable && server.Writable, Is.True);
    }

    [Test]
    public void Recv_AfterPeerClosed_ThrowsEndOfStreamAfterPendingMessages()
    {
        using var listener = new Listener(NetTestAddresses.Tcp(), Key);
        using var client = Client.Connect(listener.Address, Key, Wait);
        using var server = listener.Accept(Wait);
        client.Send(1);
        client.Send(2);
        client.Close();
        Assert.That(server.Recv<int>(Wait), Is.EqualTo(1));
        Assert.That(server.Recv<int>(Wait), Is.EqualTo(2));
        Assert.That(server.Poll(Wait), Is.True, "end of stream makes poll ready");
        Assert.Throws<IpcPipeClosedException>(() => server.Recv<int>(Wait));
        Assert.Throws<ObjectDisposedException>(() => client.Send(3));
    }

    [Test]
    public void Recv_WrongType_KeepsMessageForRightReceive()
    {
        using var listener = new Listener(NetTestAddresses.Abstract(), Key);
        using var client = Client.Connect(listener.Address, Key, Wait);
        using var server = listener.Accept(Wait);
        client.Send(7);
        client.SendBytes(new byte[100]);
        Assert.Throws<IpcSerializationException>(() => server.Recv<string>(Wait));
        Assert.That(server.Recv<int>(Wait), Is.EqualTo(7));
        Assert.Throws<IpcBufferTooShortException>(() => server.RecvBytesInto(new byte[10], Wait));
        Assert.That(server.RecvBytes(Wait), Has.Length.EqualTo(100));
    }

    [Test]
    public void Poll_AndRecv_TimeOutWithoutLosingAPartialMessage()
    {
        using var listener = new Listener(NetTestAddresses.Tcp(), Key);
        using var client = Client.Connect(listener.Address, Key, Wait);
        using var server = listener.Accept(Wait);
        Assert.That(server.Poll(TimeSpan.FromMilliseconds(50)), Is.False);
        Assert.Throws<TimeoutException>(() => server.Recv<int>(TimeSpan.FromMilliseconds(50)));
        client.Send("after the timeouts");
        Assert.That(server.Recv<string>(Wait), Is.EqualTo("after the timeouts"));
    }

    [Test]
    public async Task AsyncForms_RecvPollSendAccept_Work()
    {
        using var listener = new Listener(NetTestAddresses.UnixPath(), Key);
        var accept = listener.AcceptAsync().AsTask();
        using var client = await Client.ConnectAsync(listener.Address, Key, Wait);
        using var server = await accept.WaitAsync(Wait);
        var recv = server.RecvAsync<string>();
        Assert.That(recv.IsCompleted, Is.False);
        await client.SendAsync("async");
        Assert.That(await recv.WaitAsync(Wait), Is.EqualTo("async"));
        using var cts = new CancellationTokenSource(100);
        Assert.CatchAsync<OperationCanceledException>(async () => await server.PollAsync(null, cts.Token));
        await client.SendAsync(5);
        Assert.That(await server.PollAsync(Wait), Is.True);
        Assert.That(server.Recv<int>(Wait), Is.EqualTo(5));
    }

    [Test]
    public void MultiprocessingWait_MixesSocketAndSharedMemoryConnections()
    {
        using var listener = new Listener(NetTestAddresses.Tcp(), Key);
        using var c1 = Client.Connect(listener.Address, Key, Wait);
        using var s1 = listener.Accept(Wait);
        using var c2 = Client.Connect(listener.Address, Key, Wait);
        using var s2 = listener.Accept(Wait);
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            Assert.That(Multiprocessing.Wait([s1, s2, a], TimeSpan.FromMilliseconds(50)), Is.Empty);
            var sender = Task.Run(async () => { await Task.Delay(100); c2.Send(1); });
            Assert.That(Multiprocessing.Wait([s1, s2, a], Wait), Is.EqualTo(new object[] { s2 }));
            sender.Wait(Wait);
            b.Send(2);
            Assert.That(Multiprocessing.Wait([s1, s2, a], Wait), Is.EquivalentTo(new object[] { s2, a }));
            Assert.That(s2.Recv<int>(Wait), Is.EqualTo(1), "the wait took nothing from the connection");
        }
    }

    [Test]
    public void Connect_FromChildProcess_EchoesAcrossProcesses()
    {
        using var listener = new Listener(NetTestAddresses.Tcp(), Key);
        var p = Track(IpcProcess.Start(NetChildTargets.ConnectAndEchoUpper, listener.Address.ToString(), NetTestAddresses.Hex(Key)));
        using (var conn = listener.Accept(Wait))
        {
            foreach (var word in new[] { "one", "two", "three" })
            {
                conn.Send(word);
                Assert.That(conn.Recv<string>(Wait), Is.EqualTo(word.ToUpperInvariant()));
            }
        }
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void Connect_WithWrongKeyFromChildProcess_IsRejectedOnBothSides()
    {
        using var listener = new Listener(NetTestAddresses.Abstract(), Key);
        var p = Track(IpcProcess.Start(NetChildTargets.ConnectExpectingRejection, listener.Address.ToString(), NetTestAddresses.Hex("wrong"u8.ToArray())));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(3), "the child's Client.Connect threw IpcAuthenticationException");
        Assert.That(Eventually(() => listener.RejectedConnections == 1, Wait), Is.True);
        Assert.That(listener.LastRejection, Is.InstanceOf<IpcAuthenticationException>());
        Assert.Throws<TimeoutException>(() => listener.Accept(TimeSpan.FromMilliseconds(100)), "nothing was let in");
    }

    [Test]
    public void Connect_WithWrongKey_ThrowsAndListenerGoesOn()
    {
        using var listener = new Listener(NetTestAddresses.Tcp(), Key);
        Assert.Throws<IpcAuthenticationException>(() => Client.Connect(listener.Address, "nope"u8.ToArray(), Wait));
        using var good = Client.Connect(listener.Address, Key, Wait);
        using var server = listener.Accept(Wait);
        good.Send(1);
        Assert.That(server.Recv<int>(Wait), Is.EqualTo(1));
    }

    [Test]
    public void TcpListener_WithoutKey_RefusesUnlessTrusted()
    {
        Assert.Throws<ArgumentException>(() => new Listener(NetTestAddresses.Tcp()));
        using var trusted = new Listener(NetTestAddresses.Tcp(), null, new ListenerOptions { TrustedNetwork = true });
        using var client = Client.Connect(trusted.Address, null, Wait);
        using var server = trusted.Accept(Wait);
        client.Send("no key");
        Assert.That(server.Recv<string>(Wait), Is.EqualTo("no key"));
        using var unix = new Listener(NetTestAddresses.UnixPath()); // a file-system socket: the file's permissions guard it
    }

    [Test]
    public void Listener_Dispose_RemovesSocketFileAndFailsAccept()
    {
        var address = NetTestAddresses.UnixPath();
        var listener = new Listener(address, Key);
        Assert.That(File.Exists(address.Path), Is.True);
        var accept = Task.Run(() => listener.Accept(Wait));
        Thread.Sleep(50);
        listener.Dispose();
        Assert.That(() => accept.Wait(Wait), Throws.InnerException.InstanceOf<ObjectDisposedException>());
        Assert.That(File.Exists(address.Path), Is.False);
        Assert.Throws<SocketException>(() => Client.Connect(address, Key, Wait));
    }

    [Test]
    public void Tls_OverTcp_CarriesMessagesAfterBothHandshakes()
    {
        using var cert = NetTls.SelfSigned();
        var serverTls = new System.Net.Security.SslServerAuthenticationOptions { ServerCertificate = cert };
        var clientTls = new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, c, _, _) => c?.GetCertHashString() == cert.GetCertHashString(),
        };
        using var listener = new Listener(NetTestAddresses.Tcp(), Key, new ListenerOptions { Tls = serverTls });
        using var client = Client.Connect(listener.Address, Key, Wait, new ClientOptions { Tls = clientTls });
        using var server = listener.Accept(Wait);
        client.Send("over tls");
        Assert.That(server.Recv<string>(Wait), Is.EqualTo("over tls"));
        var send = Task.Run(() => server.SendBytes(new byte[200_000]));
        Assert.That(client.RecvBytes(Wait), Has.Length.EqualTo(200_000));
        Assert.That(send.Wait(Wait), Is.True);
        Assert.That(client.Poll(TimeSpan.FromMilliseconds(20)), Is.False);
    }
}
