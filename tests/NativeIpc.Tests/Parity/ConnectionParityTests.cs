using System.Runtime.InteropServices;
using System.Text;
using NUnit.Framework;
using T = NativeIpc.Tests.Parity.ConnectionTargets;

namespace NativeIpc.Tests.Parity;

/// <summary>Ported from CPython's <c>_TestConnection</c> and <c>_TestPoll</c>.</summary>
[TestFixture]
public partial class ConnectionParityTests : ParityFixture
{
    private static byte[] Latin(string s) => Encoding.Latin1.GetBytes(s);

    [Test, Description("Python: _TestConnection.test_connection. Difference: a message sent with Send<T> carries its type, so one echoed back through RecvBytes/SendBytes is bytes and Recv<T> refuses it (IpcSerializationException, message kept); BufferTooShort keeps the message in the pipe (Python puts it in the exception's args); poll(-1) is an ArgumentOutOfRangeException (Python: poll(0)); no fileno().")]
    public void TestConnection_Connection()
    {
        var (conn, childConn) = Multiprocessing.Pipe();
        using (conn)
        using (childConn)
        {
            var p = StartDaemon(T.Echo, childConn);

            byte[] msg = Latin("hello world");
            byte[] longmsg = [.. Enumerable.Repeat(msg, 10).SelectMany(m => m)];
            int[] arr = [0, 1, 2, 3];

            conn.Send(new double?[] { 1, 2.25, null });                                // conn.send(seq)
            Assert.That(() => conn.Recv<double?[]>(ShortTimeout), Throws.TypeOf<IpcSerializationException>());
            Assert.That(IpcSerializers.For<double?[]>().Deserialize(conn.RecvBytes()), Is.EqualTo(new double?[] { 1, 2.25, null })); // conn.recv() == seq

            Assert.DoesNotThrow(() => conn.SendBytes(msg));
            Assert.That(conn.RecvBytes(ShortTimeout), Is.EqualTo(msg));

            var buffer = new int[10];
            int[] expected = [.. arr, .. new int[10 - arr.Length]];
            conn.SendBytes(MemoryMarshal.AsBytes(arr.AsSpan()));
            Assert.That(conn.RecvBytesInto(MemoryMarshal.AsBytes(buffer.AsSpan()), ShortTimeout), Is.EqualTo(arr.Length * sizeof(int)));
            Assert.That(buffer, Is.EqualTo(expected));

            buffer = new int[10];
            expected = [0, 0, 0, .. arr, .. new int[10 - 3 - arr.Length]];
            conn.SendBytes(MemoryMarshal.AsBytes(arr.AsSpan()));
            Assert.That(conn.RecvBytesInto(MemoryMarshal.AsBytes(buffer.AsSpan(3)), ShortTimeout), Is.EqualTo(arr.Length * sizeof(int))); // recv_bytes_into(buffer, 3 * itemsize)
            Assert.That(buffer, Is.EqualTo(expected));

            var small = new byte[40];
            conn.SendBytes(longmsg);
            Assert.Throws<IpcBufferTooShortException>(() => conn.RecvBytesInto(small, ShortTimeout));
            Assert.That(conn.RecvBytes(ShortTimeout), Is.EqualTo(longmsg)); // e.args == (longmsg,): here it is kept for the next receive

            Assert.That(Timed(() => conn.Poll(), out var elapsed), Is.False);
            AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
            Assert.Throws<ArgumentOutOfRangeException>(() => conn.Poll(TimeSpan.FromSeconds(-1))); // poll(-1): the difference
            Assert.That(Timed(() => conn.Poll(Timeout1), out elapsed), Is.False);
            AssertTimingAlmostEqual(elapsed, Timeout1);

            conn.Send(0); // conn.send(None): a typed message (an int here; the echo child returns its payload as bytes)
            Thread.Sleep(100);
            Assert.That(Timed(() => conn.Poll(Timeout1), out elapsed), Is.True);
            AssertTimingAlmostEqual(elapsed, TimeSpan.Zero);
            Assert.That(() => conn.Recv<int>(ShortTimeout), Throws.TypeOf<IpcSerializationException>()); // the difference
            Assert.That(conn.RecvBytes(ShortTimeout), Is.EqualTo(new byte[4]));                          // conn.recv() == None

            byte[] reallyBigMsg = new byte[1024 * 1024 * 16];
            reallyBigMsg.AsSpan().Fill((byte)'X');
            conn.SendBytes(reallyBigMsg);
            Assert.That(conn.RecvBytes(ShortTimeout), Is.EqualTo(reallyBigMsg));

            conn.SendBytes([]); // tell child to quit
            childConn.Close();

            Assert.That(conn.Readable, Is.True);
            Assert.That(conn.Writable, Is.True);
            JoinOk(p);
            Assert.Throws<IpcPipeClosedException>(() => conn.Recv<int>(ShortTimeout)); // EOFError
            Assert.Throws<IpcPipeClosedException>(() => conn.RecvBytes(ShortTimeout));
        }
    }

    [Test, Description("Python: _TestConnection.test_duplex_false (OSError on the wrong direction is InvalidOperationException).")]
    public void TestConnection_DuplexFalse()
    {
        var (reader, writer) = Multiprocessing.Pipe(duplex: false);
        using (reader)
        using (writer)
        {
            Assert.DoesNotThrow(() => writer.Send(1));
            Assert.That(reader.Recv<int>(ShortTimeout), Is.EqualTo(1));
            Assert.That(reader.Readable, Is.True);
            Assert.That(reader.Writable, Is.False);
            Assert.That(writer.Readable, Is.False);
            Assert.That(writer.Writable, Is.True);
            Assert.Throws<InvalidOperationException>(() => reader.Send(2));
            Assert.Throws<InvalidOperationException>(() => writer.Recv<int>());
            Assert.Throws<InvalidOperationException>(() => writer.Poll());
        }
    }

    [Test, Description("Python: _TestConnection.test_spawn_close: the parent may close the child's end right after start.")]
    public void TestConnection_SpawnClose()
    {
        var (conn, childConn) = Multiprocessing.Pipe();
        using (conn)
        using (childConn)
        {
            var p = StartDaemon(T.Echo, childConn);
            childConn.Close(); // this might complete before child initializes
            byte[] msg = Latin("hello");
            conn.SendBytes(msg);
            Assert.That(conn.RecvBytes(ShortTimeout), Is.EqualTo(msg));
            conn.SendBytes([]);
            conn.Close();
            JoinOk(p);
        }
    }

    [Test, Description("Python: _TestConnection.test_sendbytes. Difference: no offset/size parameters: the caller slices (msg.AsSpan(offset, size)), and a slice out of range is ArgumentOutOfRangeException (Python: ValueError).")]
    public void TestConnection_Sendbytes()
    {
        byte[] msg = Latin("abcdefghijklmnopqrstuvwxyz");
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            a.SendBytes(msg);
            Assert.That(b.RecvBytes(ShortTimeout), Is.EqualTo(msg));
            a.SendBytes(msg.AsSpan(5));
            Assert.That(b.RecvBytes(ShortTimeout), Is.EqualTo(msg[5..]));
            a.SendBytes(msg.AsSpan(7, 8));
            Assert.That(b.RecvBytes(ShortTimeout), Is.EqualTo(msg[7..(7 + 8)]));
            a.SendBytes(msg.AsSpan(26));
            Assert.That(b.RecvBytes(ShortTimeout), Is.Empty);
            a.SendBytes(msg.AsSpan(26, 0));
            Assert.That(b.RecvBytes(ShortTimeout), Is.Empty);
            Assert.Throws<ArgumentOutOfRangeException>(() => a.SendBytes(msg.AsSpan(27)));
            Assert.Throws<ArgumentOutOfRangeException>(() => a.SendBytes(msg.AsSpan(22, 5)));
            Assert.Throws<ArgumentOutOfRangeException>(() => a.SendBytes(msg.AsSpan(26, 1)));
            Assert.Throws<ArgumentOutOfRangeException>(() => a.SendBytes(msg.AsSpan(-1)));
            Assert.Throws<ArgumentOutOfRangeException>(() => a.SendBytes(msg.AsSpan(4, -1)));
        }
    }

    [Test, Description("Python: _TestConnection.test_fd_transfer (pins Connection.SendHandle/RecvHandle; Python: reduction.send_handle/recv_handle).")]
    [Platform("Linux")]
    public void TestConnection_FdTransfer()
    {
        var (conn, childConn) = Multiprocessing.Pipe(duplex: true);
        using (conn)
        using (childConn)
        {
            var p = StartDaemon(T.WriteFd, childConn, "foo"u8.ToArray());
            string testfn = Path.Combine(Path.GetTempPath(), $"parity-fd-{Guid.NewGuid():N}");
            try
            {
                using (var f = new FileStream(testfn, FileMode.CreateNew, FileAccess.Write))
                    conn.SendHandle(f.SafeFileHandle);
                JoinOk(p);
                Assert.That(File.ReadAllBytes(testfn), Is.EqualTo("foo"u8.ToArray()));
            }
            finally
            {
                File.Delete(testfn);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd);

    [Test, Description("Python: _TestConnection.test_large_fd_transfer: a descriptor numbered above 256.")]
    [Platform("Linux")]
    public void TestConnection_LargeFdTransfer()
    {
        var (conn, childConn) = Multiprocessing.Pipe(duplex: true);
        using (conn)
        using (childConn)
        {
            var p = StartDaemon(T.WriteFd, childConn, "bar"u8.ToArray());
            string testfn = Path.Combine(Path.GetTempPath(), $"parity-fd-{Guid.NewGuid():N}");
            try
            {
                using (var f = new FileStream(testfn, FileMode.CreateNew, FileAccess.Write))
                {
                    int fd = (int)f.SafeFileHandle.DangerousGetHandle();
                    int newfd = 256;
                    while (newfd < 4096 && fcntl(newfd, 1 /* F_GETFD */) >= 0) newfd++;
                    if (newfd == 4096) Assert.Fail("could not find an unassigned large file descriptor");
                    Assert.That(dup2(fd, newfd), Is.EqualTo(newfd));
                    try
                    {
                        conn.SendHandle(newfd);
                    }
                    finally
                    {
                        close(newfd);
                    }
                }
                JoinOk(p);
                Assert.That(File.ReadAllBytes(testfn), Is.EqualTo("bar"u8.ToArray()));
            }
            finally
            {
                File.Delete(testfn);
            }
        }
    }

    [Test, Description("Python: _TestConnection.test_missing_fd_transfer: a message without a descriptor where one is expected is an error (IpcSerializationException; Python: RuntimeError).")]
    [Platform("Linux")]
    public void TestConnection_MissingFdTransfer()
    {
        var (conn, childConn) = Multiprocessing.Pipe(duplex: true);
        using (conn)
        using (childConn)
        {
            var p = StartDaemon(T.SendDataWithoutFd, childConn);
            Assert.Throws<IpcSerializationException>(() => conn.RecvHandle(ShortTimeout));
            JoinOk(p);
        }
    }

    [Test, Description("Python: _TestConnection.test_context (OSError after close is ObjectDisposedException).")]
    public void TestConnection_Context()
    {
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            a.Send(1729);
            Assert.That(b.Recv<int>(ShortTimeout), Is.EqualTo(1729));
            Assert.That(a.IsClosed, Is.False);
            Assert.That(b.IsClosed, Is.False);
        }
        Assert.That(a.IsClosed, Is.True);
        Assert.That(b.IsClosed, Is.True);
        Assert.Throws<ObjectDisposedException>(() => a.Recv<int>());
        Assert.Throws<ObjectDisposedException>(() => b.Recv<int>());
    }

    // ------------------------------------------------------------------ _TestPoll

    [Test, Description("Python: _TestPoll.test_empty_string: polling twice sees the same (empty) message.")]
    public void TestPoll_EmptyString()
    {
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            Assert.That(a.Poll(), Is.False);
            b.SendBytes([]);
            Assert.That(a.Poll(), Is.True);
            Assert.That(a.Poll(), Is.True);
        }
    }

    [Test, Description("Python: _TestPoll.test_strings.")]
    public void TestPoll_Strings()
    {
        string[] strings = ["hello", "", "a", "b", "", "bye", "", "lop"];
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            var p = Track(IpcProcess.Start(T.ChildStrings, b, strings));
            foreach (var s in strings)
            {
                for (int i = 0; i < 200; i++)
                    if (a.Poll(TimeSpan.FromMilliseconds(10))) break;
                var x = a.RecvBytes(ShortTimeout);
                Assert.That(Encoding.ASCII.GetString(x), Is.EqualTo(s));
            }
            JoinOk(p);
        }
    }

    [Test, Description("Python: _TestPoll.test_boundaries: a child that polls and exits must not take a message (or part of one) with it. Stronger than Python's assertIn: both messages are still in the pipe, in order (pins Poll peeking instead of pulling the message into the polling process).")]
    public void TestPoll_Boundaries()
    {
        var (r, w) = Multiprocessing.Pipe(duplex: false);
        using (r)
        using (w)
        {
            var p = Track(IpcProcess.Start(T.ChildBoundaries, r));
            Thread.Sleep(2000);
            byte[][] L = [Latin("first"), Latin("second")];
            foreach (var obj in L) w.SendBytes(obj);
            w.Close();
            JoinOk(p);
            var first = r.RecvBytes(ShortTimeout);
            Assert.That(L, Has.Some.EqualTo(first));
            Assert.That(first, Is.EqualTo(L[0]), "the child's poll took the first message with it");
            Assert.That(r.RecvBytes(ShortTimeout), Is.EqualTo(L[1]));
        }
    }

    [Test, Description("Python: _TestPoll.test_dont_merge.")]
    public void TestPoll_DontMerge()
    {
        var (a, b) = Multiprocessing.Pipe();
        using (a)
        using (b)
        {
            Assert.That(a.Poll(TimeSpan.Zero), Is.False);
            Assert.That(a.Poll(TimeSpan.FromSeconds(0.1)), Is.False);
            var p = Track(IpcProcess.Start(T.ChildDontMerge, b));
            Assert.That(a.RecvBytes(ShortTimeout), Is.EqualTo("a"u8.ToArray()));
            Assert.That(a.Poll(TimeSpan.FromSeconds(1)), Is.True);
            Assert.That(a.Poll(TimeSpan.FromSeconds(1)), Is.True);
            Assert.That(a.RecvBytes(ShortTimeout), Is.EqualTo("b"u8.ToArray()));
            Assert.That(a.Poll(TimeSpan.FromSeconds(1)), Is.True);
            Assert.That(a.Poll(TimeSpan.FromSeconds(1)), Is.True);
            Assert.That(a.Poll(TimeSpan.Zero), Is.True);
            Assert.That(a.RecvBytes(ShortTimeout), Is.EqualTo("cd"u8.ToArray()));
            JoinOk(p);
        }
    }
}
