using NUnit.Framework;
using NativeIpc.Memory;

namespace NativeIpc.Tests.Memory;

[TestFixture]
public class SharedMemoryTests : ChildProcessFixture
{
    private static string TestName() => TestPaths.ShmName("mem");

    [Test]
    public void Create_SizeIsPayloadAndBytesStartZeroed()
    {
        using var shm = SharedMemory.Create(1000);
        Assert.That(shm.Size, Is.EqualTo(1000));
        Assert.That(shm.Span.Length, Is.EqualTo(1000));
        Assert.That(shm.Span.ContainsAnyExcept((byte)0), Is.False);
        Assert.That(SegmentExists(shm.Name), Is.True);
    }

    [Test]
    public void Attach_SeesTheCreatorsBytesBothWays()
    {
        using var a = SharedMemory.Create(4096);
        using var b = SharedMemory.Attach(a.Name);
        a.Span[10] = 42;
        b.Memory.Span[11] = 43;
        Assert.That(b.Span[10], Is.EqualTo(42));
        Assert.That(a.AsSpan(11, 1)[0], Is.EqualTo(43));
        Assert.That(b.Size, Is.EqualTo(4096));
    }

    [Test]
    public void Dispose_Creator_RemovesTheName_AttachedCopyDoesNot()
    {
        var a = SharedMemory.Create(64);
        string name = a.Name;
        SharedMemory.Attach(name).Dispose();
        Assert.That(SegmentExists(name), Is.True, "an attached copy's dispose must not unlink");
        a.Dispose();
        Assert.That(SegmentExists(name), Is.False);
        Assert.Throws<FileNotFoundException>(() => SharedMemory.Attach(name));
    }

    [Test, Platform("Linux", Reason = "Windows names die with their last handle: see the OnWindows twin")]
    public void Create_TrackFalse_OutlivesDispose_UntilUnlinked()
    {
        var a = SharedMemory.Create(64, track: false);
        string name = a.Name;
        a.Span[0] = 5;
        a.Dispose();
        try
        {
            using var b = SharedMemory.Attach(name);
            Assert.That(b.Span[0], Is.EqualTo(5));
            Assert.That(b.Unlink(), Is.True);
        }
        finally
        {
            if (File.Exists("/dev/shm/" + name)) File.Delete("/dev/shm/" + name);
        }
        Assert.That(File.Exists("/dev/shm/" + name), Is.False);
    }

    [Test, Platform("Win", Reason = "Windows semantics of track and Unlink (the Linux ones are tested above)")]
    public void Create_TrackFalse_OnWindows_LivesWhileACopyIsOpen_UnlinkReturnsFalse()
    {
        var a = SharedMemory.Create(64, track: false);
        string name = a.Name;
        a.Span[0] = 5;
        var b = SharedMemory.Attach(name);
        a.Dispose();
        Assert.That(b.Span[0], Is.EqualTo(5), "an open copy keeps the segment after its creator disposed");
        Assert.That(b.Unlink(), Is.False, "Windows has no unlink: the name goes with the last handle");
        Assert.That(SegmentExists(name), Is.True);
        b.Dispose();
        Assert.That(SegmentExists(name), Is.False, "track: false cannot keep a Windows segment past its last handle");
        Assert.Throws<FileNotFoundException>(() => SharedMemory.Attach(name));
    }

    [Test]
    public void Create_WithName_IsAttachableByThatName()
    {
        string name = TestName();
        using var a = SharedMemory.Create(16, name);
        Assert.That(a.Name, Is.EqualTo(name));
        using var b = SharedMemory.Attach(name);
        Assert.That(b.Size, Is.EqualTo(16));
    }

    [Test]
    public void Create_NameThatExists_ThrowsIOException()
    {
        using var a = SharedMemory.Create(16);
        var e = Assert.Throws(Is.InstanceOf<IOException>(), () => SharedMemory.Create(16, a.Name));
        Assert.That(e!.Message, Does.Contain("already exists"));
    }

    [Test]
    public void CreateAndDispose_800ChosenNames_WithinThreeSeconds()
    {
        // Long names, as real ones often are: 800 of them are more than a pipe buffer holds.
        string prefix = TestName() + "-" + new string('x', 150) + "-";
        var all = new List<SharedMemory>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < 800; i++) all.Add(SharedMemory.Create(64, prefix + i));
        }
        finally
        {
            foreach (var s in all) s.Dispose();
        }
        watch.Stop();
        Assert.That(all, Has.Count.EqualTo(800));
        // The bound is on the Linux crash tracker; Windows has none (names die with their handles).
        if (OperatingSystem.IsLinux()) Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "crash tracking is not O(1) per name");
        Assert.That(Enumerable.Range(0, 800).Where(i => SegmentExists(prefix + i)), Is.Empty);
    }

    [Test, Platform("Linux", Reason = "Windows has no unlink: see Create_TrackFalse_OnWindows_LivesWhileACopyIsOpen_UnlinkReturnsFalse")]
    public void Unlink_RemovesNameButKeepsMappingUsable()
    {
        using var a = SharedMemory.Create(16);
        Assert.That(a.Unlink(), Is.True);
        a.Span[0] = 1;
        Assert.That(a.Span[0], Is.EqualTo(1));
        Assert.Throws<FileNotFoundException>(() => SharedMemory.Attach(a.Name));
        Assert.That(a.Unlink(), Is.False);
    }

    [TestCase(0L)]
    [TestCase(-1L)]
    public void Create_SizeNotPositive_ThrowsArgumentOutOfRange(long size)
        => Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.Create(size));

    [TestCase(long.MaxValue)]
    [TestCase(long.MaxValue - 63)]
    public void Create_SizeBeyondA64BitSize_ThrowsArgumentOutOfRangeNotOverflow(long size)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.Create(size));
        Assert.That(e!.ParamName, Is.EqualTo("size"));
        Assert.That(e.Message, Does.Contain("more than a shared segment can hold"));
    }

    [TestCase(long.MaxValue, 1)]
    [TestCase(long.MaxValue - 8, 16)]
    [TestCase(16L, 1)]
    [TestCase(1L, int.MaxValue)]
    public void AsSpan_WindowOutsideTheBlock_ThrowsEvenWhenOffsetPlusLengthOverflows(long offset, int length)
    {
        using var shm = SharedMemory.Create(16);
        Assert.Throws<ArgumentOutOfRangeException>(() => shm.AsSpan(offset, length));
    }

    [Test, Platform("Linux", Reason = "sizes against /dev/shm and expects ENOSPC")]
    public void Create_LargerThanFreeDevShm_ThrowsIOExceptionAtCreate_LeavesNothing()
    {
        var shm = new DriveInfo("/dev/shm");
        // Beyond both free space and the filesystem's size: posix_fallocate refuses at once, nothing is touched.
        long size = Math.Max(shm.AvailableFreeSpace, shm.TotalSize) + (1L << 30);
        var e = Assert.Throws<IOException>(() => SharedMemory.Create(size));
        Assert.That(e!.Message, Does.Contain("Not enough shared memory"));
        Assert.That(e.HResult, Is.EqualTo(28)); // ENOSPC
    }

    [Test]
    public void Create_NameWithSlashOrTooLong_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => SharedMemory.Create(16, "nipc-a/b"));
        Assert.Throws<ArgumentException>(() => SharedMemory.Create(16, "nipc-" + new string('x', 300)));
        Assert.Throws<ArgumentException>(() => SharedMemory.Attach("nipc-a/b"));
    }

    [Test]
    public void Attach_MissingName_ThrowsFileNotFound()
        => Assert.Throws<FileNotFoundException>(() => SharedMemory.Attach(TestName()));

    [Test]
    public void Attach_SegmentOfAnotherKind_ThrowsMismatch()
    {
        using var arr = SharedArray<int>.Create(4);
        using var shm = SharedMemory.Create(16);
        Assert.Throws<IpcSegmentMismatchException>(() => SharedMemory.Attach(arr.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => SharedArray<byte>.Attach(shm.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => SharedValue<int>.Attach(arr.Name));
    }

    [Platform("Linux", Reason = "writes a foreign object into /dev/shm")]
    [TestCase(0)]
    [TestCase(10)]
    [TestCase(4096)]
    public void Attach_ForeignShmObject_ThrowsMismatchNotACrash(int size)
    {
        string name = TestName();
        File.WriteAllBytes("/dev/shm/" + name, Enumerable.Repeat((byte)0x5A, size).ToArray());
        try
        {
            // An empty object may be a creator's that is not sized yet: that one is "not ready", a mismatch too.
            Assert.Throws(Is.InstanceOf<IpcSegmentMismatchException>(), () => SharedMemory.Attach(name));
            Assert.Throws(Is.InstanceOf<IpcSegmentMismatchException>(), () => SharedArray<int>.Attach(name));
        }
        finally { File.Delete("/dev/shm/" + name); }
    }

    [Platform("Linux", Reason = "writes half-made segments into /dev/shm")]
    [TestCase(0, false, TestName = "Attach_CreatorNeverSizedIt_SaysNotReady")]
    [TestCase(128, false, TestName = "Attach_HeaderLeftHalfWritten_SaysNotReady")]
    [TestCase(128, true, TestName = "Attach_HeaderWrittenButNeverMarkedReady_SaysNotReady")]
    public void Attach_CreatorNeverFinished_WaitsThenSaysNotReady(int size, bool withMagic)
    {
        string name = TestName();
        var bytes = new byte[size];
        if (size > 0)
        {
            // A creator that died half-way: fields written, the magic (written last) only in the third case.
            BitConverter.GetBytes(SegmentLayout.Version).CopyTo(bytes, SegmentLayout.VersionOffset);
            BitConverter.GetBytes((ushort)SegmentKind.RawMemory).CopyTo(bytes, SegmentLayout.KindOffset);
            BitConverter.GetBytes((long)size).CopyTo(bytes, SegmentLayout.TotalSizeOffset);
            if (withMagic) BitConverter.GetBytes(SegmentLayout.Magic).CopyTo(bytes, SegmentLayout.MagicOffset);
        }
        File.WriteAllBytes("/dev/shm/" + name, bytes);
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.Throws(Is.InstanceOf<IpcSegmentMismatchException>(), () => SharedMemory.Attach(name));
            Assert.That(e!.Message, Does.Contain("not ready (creator still initialising or died while creating)"));
            Assert.That(e, Is.TypeOf<IpcSegmentNotReadyException>());
            Assert.That(watch.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1)), "attach gave up without waiting for the creator");
        }
        finally { File.Delete("/dev/shm/" + name); }
    }

    [Test, Platform("Linux", Reason = "the slow creator writes its segment in /dev/shm by hand")]
    public void Attach_WhileAnotherProcessIsStillCreating_WaitsAndSeesThePayload()
    {
        string name = TestName();
        try
        {
            var p = Track(IpcProcess.Start(SegmentCreatorTargets.CreateSlowly, name, 150));
            Assert.That(Eventually(() => File.Exists("/dev/shm/" + name), ChildTimeout), Is.True, "the creator never made the name");
            using var shm = SharedMemory.Attach(name, TimeSpan.FromSeconds(20));
            Assert.That(shm.Size, Is.EqualTo(64));
            Assert.That(shm.Span[0], Is.EqualTo(0x5A));
            JoinOrFail(p);
            Assert.That(p.ExitCode, Is.EqualTo(0));
        }
        finally { File.Delete("/dev/shm/" + name); }
    }

    [Test]
    public void Attach_ReadyTimeoutNegative_ThrowsArgumentOutOfRange()
        => Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemory.Attach(TestName(), TimeSpan.FromSeconds(-2)));

    [Test, Platform("Linux", Reason = "Windows names die with their last handle: there is nothing to sweep")]
    public void Sweep_RemovesGeneratedNamesOfDeadCreatorsOnly()
    {
        using var owner = SharedValue<int>.Create(0);
        var p = Track(IpcProcess.Start(SegmentCreatorTargets.ReportOwner, owner));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(owner.Value, Is.Not.Zero);
        string dead = $"{SegmentNames.PrefixOf(owner.Value)}{Guid.NewGuid():N}";
        string mine = $"{SegmentNames.OwnPrefix}{Guid.NewGuid():N}";
        string foreign = $"{SegmentNames.Prefix}notanowner-{Guid.NewGuid():N}";
        foreach (var n in new[] { dead, mine, foreign }) File.WriteAllBytes("/dev/shm/" + n, new byte[64]);
        try
        {
            SegmentSweep.RemoveLeftovers(SharedSegment.Provider);
            Assert.That(File.Exists("/dev/shm/" + dead), Is.False, "a dead creator's segment survived the sweep");
            Assert.That(File.Exists("/dev/shm/" + mine), Is.True, "the sweep removed a live creator's segment");
            Assert.That(File.Exists("/dev/shm/" + foreign), Is.True, "the sweep removed a name it cannot attribute");
        }
        finally
        {
            foreach (var n in new[] { dead, mine, foreign }) File.Delete("/dev/shm/" + n);
        }
    }

    [Test]
    public void UseAfterDispose_ThrowsObjectDisposed()
    {
        var a = SharedMemory.Create(16);
        var memory = a.Memory;
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = a.Span);
        Assert.Throws<ObjectDisposedException>(() => _ = a.Memory);
        Assert.Throws<ObjectDisposedException>(() => _ = memory.Span);
        Assert.Throws<ObjectDisposedException>(() => a.AsSpan(0, 1));
        Assert.Throws<ObjectDisposedException>(() => IpcProcess.Start(MemoryChildTargets.FillBytes, a, (byte)1));
        Assert.DoesNotThrow(a.Dispose);
    }

    [Test]
    public void PassedToChild_ChildWritesAreSeenByParent()
    {
        using var shm = SharedMemory.Create(1 << 20);
        var p = Track(IpcProcess.Start(MemoryChildTargets.FillBytes, shm, (byte)0xAB));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(shm.Span.ContainsAnyExcept((byte)0xAB), Is.False);
    }
}
