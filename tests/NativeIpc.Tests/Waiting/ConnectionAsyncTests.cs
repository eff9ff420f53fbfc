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
