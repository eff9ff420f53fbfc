using NativeIpc.Memory;
using NUnit.Framework;

namespace NativeIpc.Tests.Memory;

/// <summary>The interlock-free call guard (<see cref="CallGuard"/>): a synchronous call in flight keeps a disposed
/// segment mapped, and the last call out unmaps it — whether the call holds a slot or (nested past
/// <see cref="CallGuard.Depth"/>) a counted reference. Mappings are looked up in /proc/self/maps by name.</summary>
[Platform("Linux", Reason = "reads /proc/self/maps")]
public class CallGuardTests
{
    private static bool IsMapped(string name) => File.ReadAllText("/proc/self/maps").Contains(name, StringComparison.Ordinal);

    [Test]
    public void DisposedWhileACallIsInFlight_StaysMappedUntilTheCallLeaves_ThenUnmaps()
    {
        var seg = SharedSegment.Create(SegmentKind.RawMemory, 4096);
        seg.MarkReady();
        string name = seg.Name;
        Assert.That(seg.EnterCall(out var call), Is.True);
        seg.Dispose();
        Assert.That(IsMapped(name), Is.True, "a call in flight keeps the mapping");
        Assert.That(seg.EnterCall(out _), Is.False, "no new call starts after Dispose");
        Assert.That(IsMapped(name), Is.True, "a refused call does not unmap under the one in flight");
        seg.ExitCall(call);
        Assert.That(IsMapped(name), Is.False, "the last call out unmaps");
    }

    [Test]
    public void NestedPastTheSlots_FallsBackToCountedReferences_AndStillUnmapsOnce()
    {
        var seg = SharedSegment.Create(SegmentKind.RawMemory, 4096);
        seg.MarkReady();
        string name = seg.Name;
        int depth = CallGuard.Depth + 3;
        var calls = new CallGuard[depth];
        for (int i = 0; i < depth; i++) Assert.That(seg.EnterCall(out calls[i]), Is.True);
        seg.Dispose();
        for (int i = 0; i < depth; i++)
        {
            Assert.That(IsMapped(name), Is.True, $"still held at level {depth - i}");
            seg.ExitCall(calls[depth - 1 - i]);
        }
        Assert.That(IsMapped(name), Is.False);
    }

    [Test]
    public void CallOnAnotherThread_KeepsTheMapping_UntilItLeaves()
    {
        var seg = SharedSegment.Create(SegmentKind.RawMemory, 4096);
        seg.MarkReady();
        string name = seg.Name;
        using var inside = new ManualResetEventSlim();
        using var leave = new ManualResetEventSlim();
        var t = new Thread(() =>
        {
            if (!seg.EnterCall(out var call)) return;
            inside.Set();
            leave.Wait(TimeSpan.FromSeconds(20));
            seg.ExitCall(call);
        }) { IsBackground = true };
        t.Start();
        Assert.That(inside.Wait(TimeSpan.FromSeconds(20)), Is.True);
        seg.Dispose();
        Assert.That(IsMapped(name), Is.True, "Dispose on this thread left the mapping to the thread still in its call");
        leave.Set();
        Assert.That(t.Join(TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(IsMapped(name), Is.False, "that thread unmapped it on its way out");
    }

    [Test]
    public void ManyThreadsRacingDispose_NeverFault_AndLeaveNothingMapped()
    {
        // A queue's calls are guarded by CallGuard: the last call out unmaps, no collection needed.
        int before = DeletedMappings();
        RaceDispose(() => new IpcQueue<int>(4096), q => { if (q.TryPut(1)) q.TryGet(out _); });
        Assert.That(DeletedMappings(), Is.LessThanOrEqualTo(before), "every disposed queue was unmapped by the last call out");
    }

    [Test]
    public void ManyThreadsRacingDispose_OnALock_NeverFault_AndLeaveNothingMappedOnceCollected()
    {
        // A lock's calls take no guard (SharedSegment.UnmapWhenCollected): its mapping goes with the object.
        int before = DeletedMappings();
        RaceDispose(() => new IpcLock(), lk => { if (lk.TryAcquire()) lk.Release(); });
        for (int i = 0; i < 3 && DeletedMappings() > before; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.That(DeletedMappings(), Is.LessThanOrEqualTo(before), "every disposed lock was unmapped once collected");
    }

    private static int DeletedMappings() => File.ReadAllLines("/proc/self/maps").Count(l => l.Contains("nipc-") && l.EndsWith("(deleted)"));

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RaceDispose<T>(Func<T> create, Action<T> call) where T : IDisposable
    {
        for (int round = 0; round < 30; round++)
        {
            var obj = create();
            var threads = new Thread[4];
            var ended = new System.Collections.Concurrent.ConcurrentBag<Exception>();
            for (int i = 0; i < threads.Length; i++)
            {
                threads[i] = new Thread(() =>
                {
                    try { while (true) call(obj); }
                    catch (Exception e) { ended.Add(e); } // anything else fails the assertion below, not the test host
                }) { IsBackground = true };
                threads[i].Start();
            }
            Thread.Sleep(2);
            obj.Dispose();
            foreach (var t in threads) Assert.That(t.Join(TimeSpan.FromSeconds(20)), Is.True);
            // A disposed queue also says it was closed (Dispose closes this process's end first): both are defined.
            Assert.That(ended.Select(e => e.GetType()).ToList(), Has.Count.EqualTo(threads.Length)
                .And.All.Matches<Type>(t => t == typeof(ObjectDisposedException) || t == typeof(IpcQueueClosedException)),
                "every thread ended with ObjectDisposedException (or, for a queue, IpcQueueClosedException)");
        }
    }
}
