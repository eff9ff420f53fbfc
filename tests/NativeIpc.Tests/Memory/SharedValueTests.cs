using NUnit.Framework;

namespace NativeIpc.Tests.Memory;

[TestFixture]
public class SharedValueTests : ChildProcessFixture
{
    [Test]
    public void Create_HoldsInitial_AttachSeesWrites()
    {
        using var v = SharedValue<long>.Create(41);
        using var w = SharedValue<long>.Attach(v.Name);
        Assert.That(w.Value, Is.EqualTo(41));
        w.Value = 42;
        Assert.That(v.Value, Is.EqualTo(42));
    }

    [Test]
    public void AtomicOps_Int_ReturnNewOrPreviousValue()
    {
        using var v = Multiprocessing.Value(10);
        Assert.That(v.Add(5), Is.EqualTo(15));
        Assert.That(v.Increment(), Is.EqualTo(16));
        Assert.That(v.Decrement(), Is.EqualTo(15));
        Assert.That(v.Exchange(3), Is.EqualTo(15));
        Assert.That(v.CompareExchange(9, 4), Is.EqualTo(3), "comparand differs: no store");
        Assert.That(v.CompareExchange(9, 3), Is.EqualTo(3));
        Assert.That(v.Value, Is.EqualTo(9));
    }

    [Test]
    public void AtomicOps_UnsignedAndFloatingPoint_Work()
    {
        using var u = SharedValue<uint>.Create(0);
        Assert.That(u.Decrement(), Is.EqualTo(uint.MaxValue));
        using var ul = SharedValue<ulong>.Create(1);
        Assert.That(ul.Add(2), Is.EqualTo(3UL));
        using var d = SharedValue<double>.Create(1.5);
        Assert.That(d.Add(2.25), Is.EqualTo(3.75));
        Assert.That(d.Increment(), Is.EqualTo(4.75));
        Assert.That(d.CompareExchange(0.5, 4.75), Is.EqualTo(4.75));
        Assert.That(d.Exchange(1), Is.EqualTo(0.5));
        using var f = SharedValue<float>.Create(1f);
        Assert.That(f.Decrement(), Is.EqualTo(0f));
    }

    [Test]
    public void AtomicOps_OtherType_ThrowNotSupportedNamingTheTypes()
    {
        using var v = SharedValue<short>.Create(1);
        var e = Assert.Throws<NotSupportedException>(() => v.Increment());
        Assert.That(e!.Message, Does.Contain("Int16").And.Contain("int, long"));
        Assert.Throws<NotSupportedException>(() => v.Exchange(2));
        Assert.Throws<NotSupportedException>(() => v.CompareExchange(2, 1));
        v.Value = 7; // plain reads and writes work for any unmanaged T
        Assert.That(v.Value, Is.EqualTo((short)7));
    }

    [Test]
    public void Value_OfStruct_RoundTrips()
    {
        using var v = SharedValue<Guid>.Create(Guid.Empty);
        var g = Guid.NewGuid();
        v.Value = g;
        using var w = SharedValue<Guid>.Attach(v.Name);
        Assert.That(w.Value, Is.EqualTo(g));
    }

    [Test]
    public void Attach_OtherElementType_ThrowsMismatch()
    {
        using var v = SharedValue<long>.Create(1);
        var e = Assert.Throws<IpcSegmentMismatchException>(() => SharedValue<int>.Attach(v.Name));
        Assert.That(e!.Message, Does.Contain("Int32"));
        Assert.Throws<IpcSegmentMismatchException>(() => SharedValue<ulong>.Attach(v.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => SharedArray<long>.Attach(v.Name));
    }

    [Test]
    public void Attach_MissingName_ThrowsFileNotFound()
        => Assert.Throws<FileNotFoundException>(() => SharedValue<int>.Attach(TestPaths.ShmName("missing", 32)));

    [Test]
    public void UseAfterDispose_ThrowsObjectDisposed()
    {
        var v = SharedValue<int>.Create(1);
        v.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = v.Value);
        Assert.Throws<ObjectDisposedException>(() => v.Value = 2);
        Assert.Throws<ObjectDisposedException>(() => v.Increment());
        Assert.Throws<ObjectDisposedException>(() => v.CompareExchange(1, 1));
    }

    [Test]
    public void Increment_FromTwoChildrenAndParent_LosesNoUpdate()
    {
        const int perProcess = 200_000;
        using var v = SharedValue<long>.Create(0);
        var a = Track(IpcProcess.Start(MemoryChildTargets.AddMany, v, perProcess));
        var b = Track(IpcProcess.Start(MemoryChildTargets.AddMany, v, perProcess));
        for (int i = 0; i < perProcess; i++) v.Increment();
        JoinOrFail(a);
        JoinOrFail(b);
        Assert.That((a.ExitCode, b.ExitCode), Is.EqualTo((0, 0)));
        Assert.That(v.Value, Is.EqualTo(3L * perProcess));
    }

    [Test]
    public void GetLock_ReadModifyWriteFromTwoProcesses_LosesNoUpdate()
    {
        const int perProcess = 20_000;
        using var v = Multiprocessing.Value(0L);
        var child = Track(IpcProcess.Start(MemoryChildTargets.LockedAddMany, v, perProcess));
        MemoryChildTargets.LockedAddMany(v, perProcess);
        JoinOrFail(child);
        Assert.That(child.ExitCode, Is.EqualTo(0));
        Assert.That(v.Value, Is.EqualTo(2L * perProcess));
    }

    [Test]
    public void GetLock_AttachedByName_IsTheSameLock()
    {
        using var v = SharedValue<int>.Create(1, withLock: true);
        using var other = SharedValue<int>.Attach(v.Name);
        using (v.GetLock().Acquire())
            Assert.That(other.GetLock().IsOwnedByCurrentThread, Is.True, "the attached copy sees the creator's lock state");
    }

    [Test]
    public void GetLock_CreatedWithoutLock_ThrowsInvalidOperation()
    {
        using var v = Multiprocessing.RawValue(1);
        Assert.Throws<InvalidOperationException>(() => v.GetLock());
    }

    [Test]
    public void Disposed_ThrowsAtOnce_AndItsMappingIsReleasedOnceCollected()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("reads /proc/self/maps");
        string name = CreateAndDispose();
        // A value's calls take no per-call guard: its one-page mapping outlives Dispose until the object is collected.
        for (int i = 0; i < 3 && IsMapped(name); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.That(IsMapped(name), Is.False, "the disposed value's mapping is released once it is collected");

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static string CreateAndDispose()
        {
            var v = SharedValue<long>.Create(41);
            string n = v.Name;
            Assert.That(v.Increment(), Is.EqualTo(42));
            v.Dispose();
            Assert.Throws<ObjectDisposedException>(() => v.Increment());
            Assert.Throws<ObjectDisposedException>(() => _ = v.Value);
            Assert.Throws<ObjectDisposedException>(() => v.Value = 1);
            Assert.That(File.Exists("/dev/shm/" + n), Is.False, "Dispose removed the name at once");
            return n;
        }
    }

    private static bool IsMapped(string name) => File.ReadAllText("/proc/self/maps").Contains(name, StringComparison.Ordinal);
}
