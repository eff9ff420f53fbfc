using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Memory;

[TestFixture]
public class SharedArrayTests : ChildProcessFixture
{
    [Test]
    public void Create_FromLength_IsZeroed()
    {
        using var a = SharedArray<double>.Create(5);
        Assert.That(a.Length, Is.EqualTo(5));
        Assert.That(a.ToArray(), Is.EqualTo(new double[5]));
    }

    [Test]
    public void Create_FromSpanOrEnumerable_CopiesItems()
    {
        using var a = SharedArray<int>.Create([1, 2, 3]);
        using var b = SharedArray<int>.Create(Enumerable.Range(1, 4));
        using var c = Multiprocessing.Array(1.0, 2.0);
        Assert.That(a.ToArray(), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(b, Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(c.ToArray(), Is.EqualTo(new[] { 1.0, 2.0 }));
        using var d = Multiprocessing.Array<long>(3);
        Assert.That(d.Length, Is.EqualTo(3));
        using var e = Multiprocessing.Array<int>(5); // Python's Array('i', 5): a length, not an element
        Assert.That(e.ToArray(), Is.EqualTo(new int[5]));
    }

    [Test]
    public void Indexer_ReturnsReference_WritesInPlace()
    {
        using var a = SharedArray<int>.Create([1, 2, 3]);
        a[1] *= 10;
        ref int r = ref a[2];
        r = 30;
        using var b = SharedArray<int>.Attach(a.Name);
        Assert.That(b.ToArray(), Is.EqualTo(new[] { 1, 20, 30 }));
        b.AsSpan()[0] = 9;
        Assert.That(a[0], Is.EqualTo(9));
    }

    [Test]
    public void Indexer_OutOfRange_ThrowsIndexOutOfRange()
    {
        using var a = SharedArray<int>.Create(3);
        Assert.Throws<IndexOutOfRangeException>(() => _ = a[3]);
        Assert.Throws<IndexOutOfRangeException>(() => _ = a[-1]);
    }

    [Test]
    public void CopyFromAndCopyTo_CheckLengths()
    {
        using var a = SharedArray<short>.Create(3);
        a.CopyFrom([4, 5]);
        var dest = new short[3];
        a.CopyTo(dest);
        Assert.That(dest, Is.EqualTo(new short[] { 4, 5, 0 }));
        Assert.Throws<ArgumentException>(() => a.CopyFrom(new short[4]));
        Assert.Throws<ArgumentException>(() => a.CopyTo(new short[2]));
    }

    [Test]
    public void Create_EmptyOrNonPositiveLength_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedArray<int>.Create(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedArray<int>.Create(-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedArray<int>.Create(ReadOnlySpan<int>.Empty));
    }

    [Test]
    public void Create_BadName_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => SharedArray<int>.Create(1, "nipc/x"));
        Assert.Throws<ArgumentException>(() => SharedArray<int>.Create(1, new string('n', 201)));
    }

    [Test]
    public void Attach_OtherElementType_ThrowsMismatch()
    {
        using var a = SharedArray<int>.Create(4);
        Assert.Throws<IpcSegmentMismatchException>(() => SharedArray<uint>.Attach(a.Name));
        Assert.Throws<IpcSegmentMismatchException>(() => SharedArray<long>.Attach(a.Name));
    }

    [Test]
    public void Attach_MissingName_ThrowsFileNotFound()
        => Assert.Throws<FileNotFoundException>(() => SharedArray<int>.Attach(TestPaths.ShmName("missing", 32)));

    [Test]
    public void UseAfterDispose_ThrowsObjectDisposed()
    {
        var a = SharedArray<int>.Create(2);
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = a[0]);
        Assert.Throws<ObjectDisposedException>(() => a.AsSpan());
        Assert.Throws<ObjectDisposedException>(() => a.ToArray());
        Assert.Throws<ObjectDisposedException>(() => a.CopyFrom([1]));
    }

    [Test]
    public void PassedToChild_SeedExample_ChildIncrementsAndDoubles()
    {
        using var num = Multiprocessing.Value(0);
        using var arr = Multiprocessing.Array(1.0, 2.0, 3.0);
        var p = Track(IpcProcess.Start(MemoryChildTargets.IncrementAndDouble, num, arr));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(num.Value, Is.EqualTo(1));
        Assert.That(arr.ToArray(), Is.EqualTo(new[] { 2.0, 4.0, 6.0 }));
    }

    [Test]
    public void PassedToChild_ChildDisposesItsCopy_SegmentSurvives()
    {
        using var arr = SharedArray<int>.Create(1);
        var p = Track(IpcProcess.Start(MemoryChildTargets.WriteThenDispose, arr));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(arr[0], Is.EqualTo(7));
        Assert.That(SegmentExists(arr.Name), Is.True);
        using var again = SharedArray<int>.Attach(arr.Name);
    }

    [Test]
    public void CreatorSigkilled_CrashTrackerRemovesSegmentWithin5s()
    {
        string name = StartCreatorAndSigkill("shared-array-sleep");
        Assert.That(Eventually(() => !SegmentExists(name), TimeSpan.FromSeconds(5)), Is.True,
            $"/dev/shm/{name} still exists 5 s after its creator was SIGKILLed");
    }

    [Test]
    public void CreatorSigkilled_SegmentWithChosenName_IsRemovedToo_ButNotAReusedName()
    {
        string chosen = TestPaths.ShmName("chosen", 8);
        string released = TestPaths.ShmName("released", 8);
        SharedMemory? reused = null;
        // The creator removed 'released' before the kill; by then someone else (this test) owns that name.
        string name = StartCreatorAndSigkill("named-shared-memory-sleep", chosen, released, afterStart: () => reused = SharedMemory.Create(16, released));
        using var _ = reused;
        Assert.That(name, Is.EqualTo(chosen));
        Assert.That(Eventually(() => !SegmentExists(chosen), TimeSpan.FromSeconds(5)), Is.True,
            $"/dev/shm/{chosen} still exists 5 s after its creator was SIGKILLed");
        Thread.Sleep(200); // the tracker has run; it must have left the reused name alone
        Assert.That(SegmentExists(released), Is.True, "the tracker removed a name its process had already given up");
    }

    [Test]
    public void CreatorSigkilled_ManyChosenNames_KeptOnesAreRemoved()
    {
        string prefix = TestPaths.ShmName("many", 8) + "-";
        var started = Stopwatch.StartNew();
        string name = StartCreatorAndSigkill("many-named-shared-memory-sleep", prefix, "800");
        // Start-up of the child included: 800 creates and 400 disposes must not wait on the tracker.
        if (OperatingSystem.IsLinux()) // the bound is on the crash tracker, which Windows does not need
            Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "tracking 800 chosen names was slow");
        Assert.That(name, Is.EqualTo(prefix + "1"));
        int Left() => Enumerable.Range(0, 800).Count(i => SegmentExists(prefix + i));
        Assert.That(Eventually(() => Left() == 0, TimeSpan.FromSeconds(10)), Is.True,
            $"{Left()} of the creator's 400 chosen names survived its SIGKILL");
    }

    [Test]
    public void Fill_SetsEveryElement_SmallAndLarge_EveryElementSize()
    {
        // Large arrays take the non-temporal path (4 MiB and more), small ones Span.Fill; sizes that do not divide
        // 32 bytes (12) always take Span.Fill. Odd lengths leave a tail shorter than one vector.
        CheckFill<byte>((5 << 20) + 3, 0xA5);
        CheckFill<short>((3 << 20) + 1, -2);
        CheckFill(1_048_577, 7);
        CheckFill(524_289, 3.25);
        CheckFill(262_145, new Pair16(1, -1));
        CheckFill(349_527, new Triple12(4, 5, 6));
        CheckFill(33, 9L);
    }

    private static void CheckFill<T>(int length, T value) where T : unmanaged, IEquatable<T>
    {
        using var a = SharedArray<T>.Create(length);
        a.Fill(value);
        int wrong = a.AsSpan().IndexOfAnyExcept(value);
        Assert.That(wrong, Is.EqualTo(-1), $"{typeof(T).Name}[{length}]: element {wrong} not filled");
    }

    [Test]
    public void Fill_InAChild_IsCompleteWhenItsMessageArrives()
    {
        using var a = SharedArray<long>.Create(2 << 20); // 16 MiB: the non-temporal path
        using var done = new IpcQueue<int>();
        for (int round = 1; round <= 3; round++)
        {
            var child = Track(IpcProcess.Start(ArrayTargets.FillAndSay, a, (long)round, done));
            Assert.That(done.Get(ChildTimeout), Is.EqualTo(round));
            // Read at once, before the child has even exited: the fill was fenced before the message.
            int wrong = a.AsSpan().IndexOfAnyExcept(round);
            Assert.That(wrong, Is.EqualTo(-1), $"round {round}: element {wrong} not yet filled when the message came");
            JoinOrFail(child);
        }
    }

    public readonly record struct Pair16(long A, long B);
    public readonly record struct Triple12(int A, int B, int C);

    /// <summary>Starts TestApp with <paramref name="args"/>, reads the segment name it prints, SIGKILLs it (only it: its
    /// crash tracker must survive to clean up) and returns the name.</summary>
    private string StartCreatorAndSigkill(string command, string? arg1 = null, string? arg2 = null, Action? afterStart = null)
    {
        var psi = new ProcessStartInfo(TestPaths.TestApp) { RedirectStandardOutput = true };
        foreach (var a in new[] { command, arg1, arg2 }) if (a is not null) psi.ArgumentList.Add(a);
        var app = Track(System.Diagnostics.Process.Start(psi)!);
        var line = app.StandardOutput.ReadLineAsync().WaitAsync(ChildTimeout).GetAwaiter().GetResult();
        Assert.That(line, Does.StartWith("name "));
        string name = line!["name ".Length..];
        Assert.That(SegmentExists(name), Is.True);
        afterStart?.Invoke();
        app.Kill(entireProcessTree: false);
        Assert.That(app.WaitForExit(30_000), Is.True);
        return name;
    }
}

internal static class ArrayTargets
{
    public static void FillAndSay(SharedArray<long> array, long value, IpcQueue<int> done)
    {
        array.Fill(value);
        done.Put((int)value);
    }
}
