using NativeIpc.Manager;
using NUnit.Framework;

namespace NativeIpc.Tests.Manager;

/// <summary>A shared collection whose bytes were damaged (by a buggy or hostile peer) is reported as
/// <see cref="IpcSegmentCorruptedException"/>, like every other segment, never read past its buffer.</summary>
[TestFixture]
public unsafe class SnapshotCorruptionTests
{
    [Test]
    public void SnapshotLengthPastItsBuffer_ThrowsSegmentCorrupted()
    {
        const long capacity = 1024;
        using var snapshot = SnapshotSegment.Create(SegmentKind.ManagedDict, 0, capacity);
        using (var raw = SharedSegment.Attach(snapshot.Name, SegmentKind.ManagedDict))
            *(int*)(raw.Payload + SnapshotLayout.BufferOffset(0, capacity) + SnapshotLayout.UsedOffset) = (int)capacity + 1;
        snapshot.Enter();
        try
        {
            var e = Assert.Throws<IpcSegmentCorruptedException>(() => snapshot.Entries(0, out _));
            Assert.That(e!.Message, Does.Contain("corrupt").And.Contain(snapshot.Name));
            Assert.Throws<IpcSegmentCorruptedException>(() => snapshot.CopyCurrent(out _, out _));
        }
        finally { snapshot.Exit(); }
    }

    [Test]
    public void PartLongerThanTheSnapshot_ThrowsSegmentCorrupted()
        => Assert.Throws<IpcSegmentCorruptedException>(() => new SnapshotReader([5, 0, 0, 0, 1, 2]).Next());
}
