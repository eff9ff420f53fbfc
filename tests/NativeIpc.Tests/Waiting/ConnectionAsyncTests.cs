using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Waiting;

[TestFixture]
public class ConnectionAsyncTests : ChildProcessFixture
{
    [Test]
    public async Task RecvAsync_SentByChild_ArrivesWithoutPolling()
    {
        var (mine, theirs) = Connection.CreatePipe();
        using (mine)
        using (theirs)
        {
            var p = Track(IpcProcess.Start(WaitingChildTargets.SendAfter, theirs, 42, 500));
            theirs.Close();
            var sw = Stopwatch.StartNew();
            Assert.That(await mine.RecvAsync<int>().WaitAsync(ChildTimeout), Is.EqualTo(42));
            Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300)));
            JoinOrFail(p);
            Assert.That(async () => await mine.RecvAsync<int>().WaitAsync(ChildTimeout), Throws.InstanceOf<IpcPipeClosedException>(), "end of stream once the child exited");
        }
    }

    [Test]
    public async Task RecvAsync_PendingWhenWriterKilled_EndsWithPipeClosed()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        using (reader)
        using (writer)
        {
            var p = Track(IpcProcess.Start(Pipes.PipeChildTargets.SendOneAndHang, writer));
            writer.Close(); // only the child writes
            Assert.That(await reader.RecvAsync<int>().WaitAsync(ChildTimeout), Is.EqualTo(42));
            var recv = reader.RecvAsync<int>();
            await Task.Delay(300);
            Assert.That(recv.IsCompleted, Is.False, "the child still holds its end");
            p.Kill();
            JoinOrFail(p);
            // A dead writer wakes nobody: the receiving side's liveness watch ends the wait.
            Assert.That(async () => await recv.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<IpcPipeClosedException>());
            Assert.That(Eventually(() => AsyncParker.RegistrationCount == 0, ChildTimeout), Is.True);
        }
    }

    [Test]
    public async Task SendAsync_RingFullWhenReaderKilled_EndsWithPipeClosed()
    {
        var (reader, writer) = Connection.CreatePipe(duplex: false, capacityBytes: 4096);
        using (reader)
        using (writer)
        {
            var p = Track(IpcProcess.Start(WaitingChildTargets.HoldUntilKilled, reader));
            reader.Close(); // only the child reads (and it never does)
            while (await SendFits(writer)) { }
            var send = writer.SendAsync(-1).AsTask();
            await Task.Delay(300);
            Assert.That(send.IsCompleted, Is.False, "the ring is full and the child holds the reading end");
            p.Kill();
            JoinOrFail(p);
            Assert.That(async () => await send.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<IpcPipeClosedException>());
        }

        static async Task<bool> SendFits(Connection c)
        {
            try { await c.SendAsync(1, TimeSpan.Zero); return true; }
            catch (TimeoutException) { return false; }
        }
    }

    [Test]
    public async Task PollAsync_NothingSent_FalseAfterTimeoutThenTrueOnSend()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            Assert.That(await a.PollAsync(TimeSpan.FromMilliseconds(100)), Is.False);
            var poll = a.PollAsync(ChildTimeout);
            b.Send("x");
            Assert.That(await poll, Is.True);
            Assert.That(a.Recv<string>(TimeSpan.Zero), Is.EqualTo("x"));
        }
    }

    [Test]
    public async Task RecvAsync_Cancelled_TakesNothingAndLeavesNoRegistration()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            Assert.That(async () => await a.RecvAsync<int>(cts.Token), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0));
            b.Send(5);
            Assert.That(a.Recv<int>(ChildTimeout), Is.EqualTo(5));
        }
    }

    [Test]
    public async Task SendAsync_RingFull_CompletesWhenChildReads()
    {
        var (mine, theirs) = Connection.CreatePipe(capacityBytes: 4096);
        using (mine)
        using (theirs)
        using (var start = new IpcEvent())
        {
            var payload = new byte[100];
            int sent = 0;
            while (true)
            {
                try { mine.SendBytes(payload, TimeSpan.Zero); sent++; }
                catch (TimeoutException) { break; }
            }
            var p = Track(IpcProcess.Start(WaitingChildTargets.ReceiveCount, theirs, sent + 1, start));
            var send = mine.SendAsync(payload, ChildTimeout);
            Assert.That(send.IsCompleted, Is.False, "the ring is full");
            start.Set();
            await send;
            JoinOrFail(p);
            Assert.That(p.ExitCode, Is.EqualTo(0));
        }
    }
}
