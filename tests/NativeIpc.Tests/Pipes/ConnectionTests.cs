using NUnit.Framework;

namespace NativeIpc.Tests.Pipes;

[TestFixture]
public class ConnectionTests : ChildProcessFixture
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public void SendRecv_WithChildProcess_RoundTripsInOrder()
    {
        var (parent, child) = Multiprocessing.Pipe();
        using (parent)
        using (child)
        {
            var p = Track(IpcProcess.Start(PipeChildTargets.EchoUpper, child));
            child.Close(); // only the child holds that end now, so its exit means end of stream
            foreach (var word in new[] { "alpha", "beta", "gamma" })
            {
                parent.Send(word);
                Assert.That(parent.Recv<string>(Wait), Is.EqualTo(word.ToUpperInvariant()));
            }
            parent.Close();
            JoinOrFail(p);
            Assert.That(p.ExitCode, Is.EqualTo(0), "the child saw end of stream once the parent closed");
        }
    }

    /// <summary>A waiting receiver decides from the header at head alone that a record is there (the ring keeps the
    /// state word at tail cleared). Payloads made of words that look like published record headers, in lengths that
    /// shift record boundaries every lap of a small ring, must still arrive exactly as sent, one per send: a stale
    /// look-alike taken for a record would be delivered as a phantom message or rejected as corrupt.</summary>
    [Test]
    public void SendBytes_HeaderLookalikePayloadsOverManyLaps_EchoExactly()
    {
        var (parent, child) = Connection.CreatePipe(capacityBytes: QueueLayout.MinCapacity);
        using (parent)
        using (child)
        {
            var p = Track(IpcProcess.Start(PipeChildTargets.EchoBytes, child));
            child.Close();
            for (int i = 0; i < 5000; i++)
            {
                var message = new byte[(i * 37 % 200 + 1)];
                for (int j = 0; j + 4 <= message.Length; j += 4)
                    BitConverter.TryWriteBytes(message.AsSpan(j), (int)RecordStatus.Published | ((i + j) & 0xFFFF) << 16);
                parent.SendBytes(message);
                Assert.That(parent.RecvBytes(Wait), Is.EqualTo(message), $"echo of message {i}");
            }
            parent.Close();
            JoinOrFail(p);
            Assert.That(p.ExitCode, Is.EqualTo(0), "the child echoed every message and saw end of stream");
        }
    }

    [Test]
    public void Recv_WriterClosed_ReadsEverythingThenEndOfStream()
    {
        var (reader, writer) = Multiprocessing.Pipe(duplex: false);
        using (reader)
        using (writer)
        {
            var p = Track(IpcProcess.Start(PipeChildTargets.SendNumbersAndClose, writer, 100));
            writer.Close();
            for (int i = 0; i < 100; i++) Assert.That(reader.Recv<int>(Wait), Is.EqualTo(i));
            Assert.Throws<IpcPipeClosedException>(() => reader.Recv<int>(Wait));
            JoinOrFail(p);
        }
    }

    [Test]
    public void Recv_WriterSigkilled_GetsSentMessageThenEndOfStreamWithinASecond()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        using (reader)
        using (writer)
        {
            var p = Track(IpcProcess.Start(PipeChildTargets.SendOneAndHang, writer));
            writer.Close();
            Assert.That(reader.Recv<int>(Wait), Is.EqualTo(42));
            p.Kill();
            JoinOrFail(p);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            Assert.Throws<IpcPipeClosedException>(() => reader.Recv<int>(Wait));
            Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        }
    }

    [Test]
    public void Send_ReaderClosedEverywhere_ThrowsPipeClosed()
    {
        var (a, b) = Multiprocessing.Pipe();
        using (b)
        {
            a.Dispose();
            Assert.Throws<IpcPipeClosedException>(() => b.Send(1));
        }
    }

    [Test]
    public void Recv_WrongType_ThrowsAndKeepsTheMessage()
    {
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            a.Send(7);
            Assert.Throws<IpcSerializationException>(() => b.Recv<string>(Wait));
            Assert.That(b.Recv<int>(Wait), Is.EqualTo(7));
        }
    }

    [Test]
    public void RecvBytesInto_BufferTooShort_ThrowsAndKeepsTheMessage()
    {
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            a.SendBytes(new byte[] { 1, 2, 3, 4, 5 });
            var e = Assert.Throws<IpcBufferTooShortException>(() => b.RecvBytesInto(new byte[3], Wait));
            Assert.That(e!.MessageLength, Is.EqualTo(5));
            var buffer = new byte[8];
            Assert.That(b.RecvBytesInto(buffer, Wait), Is.EqualTo(5));
            Assert.That(buffer[..5], Is.EqualTo(new byte[] { 1, 2, 3, 4, 5 }));
        }
    }

    [Test]
    public void SendBytes_MessageLargerThanTheRing_ArrivesWhole()
    {
        var (a, b) = Connection.CreatePipe(capacityBytes: 1024);
        using (a)
        using (b)
        {
            var big = new byte[200_000];
            new Random(1).NextBytes(big);
            var sender = Task.Run(() => a.SendBytes(big, Wait));
            var got = b.RecvBytes(Wait);
            Assert.That(sender.Wait(Wait), Is.True);
            Assert.That(got, Is.EqualTo(big));
        }
    }

    [Test]
    public void OneWayPipe_EachEndDoesOnlyItsDirection()
    {
        var (reader, writer) = Multiprocessing.Pipe(duplex: false);
        using (reader)
        using (writer)
        {
            Assert.That((reader.Readable, reader.Writable, writer.Readable, writer.Writable), Is.EqualTo((true, false, false, true)));
            Assert.Throws<InvalidOperationException>(() => reader.Send(1));
            Assert.Throws<InvalidOperationException>(() => writer.Recv<int>(TimeSpan.Zero));
        }
    }

    [Test]
    public void PollAndTimeouts()
    {
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            Assert.That(b.Poll(), Is.False);
            Assert.That(b.Poll(TimeSpan.FromMilliseconds(50)), Is.False);
            Assert.Throws<TimeoutException>(() => b.Recv<int>(TimeSpan.FromMilliseconds(50)));
            a.Send("x");
            Assert.That(b.Poll(Wait), Is.True);
            Assert.That(b.Recv<string>(), Is.EqualTo("x"));
            Assert.Throws<ArgumentOutOfRangeException>(() => b.Recv<int>(TimeSpan.FromSeconds(-2)));
        }
    }

    [Test]
    public async Task RecvAsync_CompletesWhenSentAndHonoursCancellation()
    {
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            using (var cts = new CancellationTokenSource(50))
                Assert.That(async () => await b.RecvAsync<int>(cts.Token), Throws.InstanceOf<OperationCanceledException>());
            var pending = b.RecvAsync<int>(new CancellationTokenSource(Wait).Token);
            a.Send(5);
            Assert.That(await pending, Is.EqualTo(5));
        }
    }

    [Test]
    public void UseAfterClose_ThrowsObjectDisposed()
    {
        var (a, b) = Multiprocessing.Pipe();
        a.Close();
        Assert.That(a.IsClosed, Is.True);
        Assert.Throws<ObjectDisposedException>(() => a.Send(1));
        Assert.Throws<ObjectDisposedException>(() => a.Recv<int>(TimeSpan.Zero));
        a.Dispose();
        b.Dispose();
    }
}
