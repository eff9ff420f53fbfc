using NativeIpc.Pool;
using NativeIpc.Serialization;
using NUnit.Framework;

namespace NativeIpc.Tests.Cluster;

/// <summary>The raw-block fast path of pool chunks (ClusterPool's maps over one unmanaged argument), in one process: the
/// task message rank 0 builds, the worker's run of it (<see cref="PoolWorker.Execute"/>, as a worker rank calls it) and
/// the result rank 0 reads. The cross-process runs are in <see cref="ClusterPoolMpiTests"/>.</summary>
[TestFixture]
public sealed class RawBlockTests
{
    private static readonly byte[] Key = PoolMessage.NewKey();

    public static long Cube(int x) => (long)x * x * x;

    public static int Length(string s) => s.Length;

    public static int FailOn(int x) => x == 3 ? throw new InvalidOperationException("three") : x;

    private static (PoolMessage.Target Target, byte[] Tag) Describe(Delegate f)
    {
        var target = PoolMessage.Describe(f);
        return (target, PoolMessage.TargetTag(Key, target));
    }

    private static byte[] Run(byte[] task, long id) => PoolWorker.Execute(task, id, [], Key, disposeArguments: true);

    [Test]
    public void Chunk_OfInts_IsOneRawBlock_WorkerRunsIt_ResultsComeBackAsOneBlock()
    {
        var (target, tag) = Describe(Cube);
        int[] items = [.. Enumerable.Range(-500, 1000)];
        byte[] task = PoolItems.Single(items).Chunk(7, target, tag, 100, 800);
        int header = PoolMessageLayout.DescriptionOffset + target.Description.Length + PoolMessageLayout.TargetTagSize + PoolMessageLayout.ItemsSize;
        Assert.That(task, Has.Length.EqualTo(header + PoolMessageLayout.RawBlockHeaderSize + 800 * sizeof(int)), "one raw block: 4 bytes an item");

        byte[] result = Run(task, 7);
        Assert.That(PoolMessage.TryReadResult(result, out long id, out byte status, out var body), Is.True);
        Assert.That((id, status), Is.EqualTo((7L, PoolMessageLayout.Ok)));
        Assert.That(result, Has.Length.EqualTo(PoolMessageLayout.ResultBodyOffset + PoolMessageLayout.ItemsSize + PoolMessageLayout.RawBlockHeaderSize + 800 * sizeof(long)));
        var job = new PoolJob<long>(800, 800);
        job.ChunkSucceeded(0, body, PoolMessage.ReadItems(body));
        Assert.That(job.Wait(TimeSpan.FromSeconds(10)), Is.EqualTo(items.Skip(100).Take(800).Select(Cube)));
    }

    [Test]
    public void Chunk_WhoseTargetThrows_FailsAsAWhole_WithTheRemoteException()
    {
        var (target, tag) = Describe(FailOn);
        byte[] result = Run(PoolItems.Single(Enumerable.Range(0, 10)).Chunk(3, target, tag, 0, 10), 3);
        Assert.That(PoolMessage.TryReadResult(result, out _, out byte status, out var body), Is.True);
        var e = PoolMessage.ReadFailure(body, status);
        Assert.That(e, Is.TypeOf<IpcRemoteException>());
        Assert.That(((IpcRemoteException)e).RemoteMessage, Is.EqualTo("three"));
    }

    [Test]
    public void RawBlock_ForATargetTakingAString_IsRefused_NeverRun()
    {
        // A forged (or mismatched) task: raw bytes must never become a reference-typed argument.
        var (target, tag) = Describe(Length);
        byte[] task = PoolMessage.RawTask<int>(5, target, tag, [1, 2, 3]);
        var e = Failure(Run(task, 5));
        Assert.That(e.RemoteType, Is.EqualTo(typeof(IpcSerializationException).FullName));
        Assert.That(e.RemoteMessage, Does.Contain("cannot be the arguments"));
    }

    [Test]
    public void RawBlock_ShorterThanItsItems_IsRefused()
    {
        var (target, tag) = Describe(Cube);
        byte[] task = PoolMessage.RawTask<int>(9, target, tag, [1, 2, 3, 4]);
        var e = Failure(Run(task[..^2], 9));
        Assert.That(e.RemoteType, Is.EqualTo(typeof(IpcSerializationException).FullName));
        Assert.That(e.RemoteMessage, Does.Contain("raw block"));
    }

    [Test]
    public void RawResult_OfAnotherItemSize_FailsTheChunk_RecordsNothing()
    {
        byte[] result = PoolMessage.RawResult(4, 2, sizeof(int), out _);
        Assert.That(PoolMessage.TryReadResult(result, out _, out _, out var body), Is.True);
        var job = new PoolJob<long>(2, 2);
        Assert.Throws<IpcSerializationException>(() => job.ChunkSucceeded(0, body, PoolMessage.ReadItems(body)));
        Assert.That(job.All.IsCompleted, Is.False);
    }

    private static IpcRemoteException Failure(byte[] result)
    {
        Assert.That(PoolMessage.TryReadResult(result, out _, out byte status, out var body), Is.True);
        Assert.That(status, Is.EqualTo(PoolMessageLayout.Failed));
        return (IpcRemoteException)PoolMessage.ReadFailure(body, status);
    }
}
