using NUnit.Framework;

namespace NativeIpc.Tests.Queues;

/// <summary>Kills in the middle of a put or get must leave counts exact: bounded queues accept puts again and
/// joinable queues can be joined (issue 10 item 1).</summary>
[TestFixture]
public class QueueFaultTests : ChildProcessFixture
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);
    private string _file = "";

    [SetUp]
    public void NewFile() => _file = TestPaths.TempFile();

    [TearDown]
    public void RemoveFile() => File.Delete(_file);

    [Test]
    public void BoundedQueue_AfterProducerKilledMidPut_CountsZeroAndAcceptsPutsAgain()
    {
        using var q = new IpcQueue<int>(4096, maxItems: 1);
        var p = Track(IpcProcess.Start(QueueChildTargets.ClaimAndHang, q, 99, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never claimed");
        p.Kill();
        JoinOrFail(p);
        // A consumer skips the torn record (nothing is delivered) ...
        Assert.That(q.TryGet(out _, Short), Is.False);
        // ... and the queue is empty and has room again.
        Assert.That(q.Count, Is.EqualTo(0));
        Assert.That(q.IsFull, Is.False);
        for (int i = 0; i < 100; i++)
        {
            q.Put(i, TimeSpan.FromSeconds(5));
            Assert.That(q.Count, Is.EqualTo(1));
            Assert.That(q.IsFull, Is.True);
            Assert.That(q.Get(Long), Is.EqualTo(i));
        }
        Assert.That(q.Count, Is.EqualTo(0));
    }

    [Test]
    public void BoundedQueue_AfterProducerKilledMidBigPut_CountsZeroAndAcceptsPutsAgain()
    {
        using var q = new IpcQueue<byte[]>(4096, maxItems: 1);
        var p = Track(IpcProcess.Start(QueueChildTargets.ClaimBigAndHang, q, 100_000, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never claimed");
        p.Kill();
        JoinOrFail(p);
        Assert.That(q.TryGet(out _, Short), Is.False);
        Assert.That(q.Count, Is.EqualTo(0));
        q.Put([1, 2, 3], TimeSpan.FromSeconds(5));
        Assert.That(q.Get(Long), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(q.Count, Is.EqualTo(0));
    }

    [Test]
    public void JoinableQueue_AfterProducerKilledMidPut_JoinReturns()
    {
        using var q = new IpcJoinableQueue<int>(4096);
        q.Put(1);
        var p = Track(IpcProcess.Start(QueueKillTargets.ClaimAndHangJoinable, q, 99, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never claimed");
        p.Kill();
        JoinOrFail(p);
        Assert.That(q.Get(Long), Is.EqualTo(1));
        q.TaskDone();
        Assert.That(q.TryGet(out _, Short), Is.False, "the torn item is never delivered");
        Assert.That(q.UnfinishedTasks, Is.EqualTo(0));
        Assert.That(q.Join(TimeSpan.FromSeconds(5)), Is.True);
        Assert.Throws<InvalidOperationException>(() => q.TaskDone());
    }

    [Test]
    public void JoinableQueue_AfterProducerKilledMidBigPut_JoinReturns()
    {
        using var q = new IpcJoinableQueue<byte[]>(4096);
        var p = Track(IpcProcess.Start(QueueKillTargets.ClaimBigAndHangJoinable, q, 100_000, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never claimed");
        p.Kill();
        JoinOrFail(p);
        Assert.That(q.TryGet(out _, Short), Is.False, "the partial message is never delivered");
        Assert.That(q.UnfinishedTasks, Is.EqualTo(0));
        Assert.That(q.Join(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public void JoinableQueue_AfterProducerKilledWhileWaitingForRoom_JoinReturns()
    {
        using var q = new IpcJoinableQueue<int>(4096, maxItems: 1);
        q.Put(1);
        var p = Track(IpcProcess.Start(QueueKillTargets.PutIntoFullJoinable, q, _file));
        Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never started its put");
        Thread.Sleep(Short); // the child is now blocked in Put, waiting for room
        p.Kill();
        JoinOrFail(p);
        Assert.That(q.Get(Long), Is.EqualTo(1));
        q.TaskDone();
        Assert.That(q.UnfinishedTasks, Is.EqualTo(0));
        Assert.That(q.Join(TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test]
    public void JoinableQueue_CountsTornItemsOnceAcrossManyKills()
    {
        using var q = new IpcJoinableQueue<int>(4096);
        for (int round = 0; round < 3; round++)
        {
            File.Delete(_file);
            q.Put(round);
            var p = Track(IpcProcess.Start(QueueKillTargets.ClaimAndHangJoinable, q, 99, _file));
            Assert.That(Eventually(() => File.Exists(_file), Long), Is.True, "child never claimed");
            q.Put(100 + round);
            p.Kill();
            JoinOrFail(p);
        }
        var got = new List<int>();
        while (q.TryGet(out int v, Short)) { got.Add(v); q.TaskDone(); }
        Assert.That(got, Is.EqualTo(new[] { 0, 100, 1, 101, 2, 102 }));
        Assert.That(q.UnfinishedTasks, Is.EqualTo(0));
        Assert.That(q.Join(TimeSpan.FromSeconds(5)), Is.True);
        q.Put(7);
        Assert.That(q.UnfinishedTasks, Is.EqualTo(1));
        Assert.That(q.Join(TimeSpan.FromMilliseconds(50)), Is.False);
    }
}
