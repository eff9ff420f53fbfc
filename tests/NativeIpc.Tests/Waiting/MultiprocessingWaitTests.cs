using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Waiting;

[TestFixture]
public class MultiprocessingWaitTests : ChildProcessFixture
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static (Connection[] Mine, Connection[] Theirs) ThreePipes()
    {
        var mine = new Connection[3];
        var theirs = new Connection[3];
        for (int i = 0; i < 3; i++) (mine[i], theirs[i]) = Connection.CreatePipe();
        return (mine, theirs);
    }

    private static void DisposeAll(params Connection[][] sets)
    {
        foreach (var set in sets) foreach (var c in set) c.Dispose();
    }

    [Test]
    public void Wait_ChildSendsOnOneOfThreePipes_ReturnsExactlyThatOne()
    {
        var (mine, theirs) = ThreePipes();
        try
        {
            Assert.That(Multiprocessing.Wait(mine, TimeSpan.FromMilliseconds(50)), Is.Empty, "nothing ready yet");
            var p = Track(IpcProcess.Start(WaitingChildTargets.SendAfter, theirs[1], 7, 300));
            var ready = Multiprocessing.Wait(mine, Long);
            Assert.That(ready, Is.EqualTo(new object[] { mine[1] }));
            Assert.That(mine[1].Recv<int>(TimeSpan.Zero), Is.EqualTo(7));
            JoinOrFail(p);
            Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0), "the waits on the other pipes ended");
        }
        finally { DisposeAll(mine, theirs); }
    }

    [Test]
    public async Task WaitAsync_ChildSendsOnOneOfThreePipes_ReturnsExactlyThatOne()
    {
        var (mine, theirs) = ThreePipes();
        try
        {
            var p = Track(IpcProcess.Start(WaitingChildTargets.SendAfter, theirs[2], 9, 300));
            var ready = await Multiprocessing.WaitAsync(mine).WaitAsync(Long);
            Assert.That(ready, Is.EqualTo(new object[] { mine[2] }));
            Assert.That(mine[2].Recv<int>(TimeSpan.Zero), Is.EqualTo(9));
            JoinOrFail(p);
            Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0));
        }
        finally { DisposeAll(mine, theirs); }
    }

    [Test]
    public void Wait_ProcessExit_IsSeen()
    {
        var (mine, theirs) = Connection.CreatePipe();
        using (mine)
        using (theirs)
        using (var q = new IpcQueue<int>())
        {
            var p = Track(IpcProcess.Start(static (int ms) => Thread.Sleep(ms), 300));
            var sw = Stopwatch.StartNew();
            var ready = Multiprocessing.Wait([mine, q, p], Long);
            Assert.That(ready, Is.EqualTo(new object[] { p }));
            Assert.That(sw.Elapsed, Is.LessThan(Long));
            Assert.That(p.ExitCode, Is.EqualTo(0));
        }
    }

    [Test]
    public async Task WaitAsync_QueueItemFromChild_IsSeen_AndNothingIsTaken()
    {
        using var q = new IpcQueue<int>();
        var (mine, theirs) = Connection.CreatePipe();
        using (mine)
        using (theirs)
        {
            var p = Track(IpcProcess.Start(static (IpcQueue<int> q) => { Thread.Sleep(200); q.Put(5); }, q));
            var ready = await Multiprocessing.WaitAsync([mine, q]).WaitAsync(Long);
            Assert.That(ready, Is.EqualTo(new object[] { q }));
            Assert.That(q.Get(TimeSpan.Zero), Is.EqualTo(5), "Wait only looks");
            JoinOrFail(p);
        }
    }

    [Test]
    public void WaitAsync_Cancelled_ThrowsAndLeavesNoRegistration()
    {
        var (mine, theirs) = ThreePipes();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            Assert.That(async () => await Multiprocessing.WaitAsync(mine, cts.Token), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(AsyncParker.RegistrationCount, Is.EqualTo(0));
            Assert.That(() => Multiprocessing.Wait([new object()]), Throws.ArgumentException);
        }
        finally { DisposeAll(mine, theirs); }
    }
}
