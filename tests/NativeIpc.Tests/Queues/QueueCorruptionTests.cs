using System.IO.MemoryMappedFiles;
using NUnit.Framework;

namespace NativeIpc.Tests.Queues;

/// <summary>A peer that writes anything into a queue's shared memory gets the victim a defined exception, never a
/// crash, a hang or a write outside the mapping (issue 10 item 2).</summary>
[TestFixture, Platform("Linux", Reason = "maps /dev/shm entries directly")]
public unsafe class QueueCorruptionTests : ChildProcessFixture
{
    /// <summary>A second, independent mapping of a live segment, as a misbehaving peer would have.</summary>
    private sealed class Tamperer : IDisposable
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly byte* _base;

        public Tamperer(string name)
        {
            _file = MemoryMappedFile.CreateFromFile("/dev/shm/" + name, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
            _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite);
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _base = p + _view.PointerOffset;
        }

        /// <summary>The queue's control block (the segment's payload).</summary>
        public byte* Control => _base + SegmentLayout.PayloadOffset;

        public byte* Ring => Control + QueueLayout.RingOffset;

        public void Dispose()
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }

    [Test]
    public void Attach_CapacityLargerThanTheMapping_ThrowsCorrupted()
    {
        using var q = new IpcQueue<int>(4096);
        using (var t = new Tamperer(q.Name)) *(int*)(t.Control + QueueLayout.CapacityOffset) = 16 << 20;
        Assert.Throws<IpcSegmentCorruptedException>(() => IpcQueue<int>.Attach(q.Name).Dispose());
    }

    [Test]
    public void Attach_CapacityNotAPowerOfTwo_ThrowsCorrupted()
    {
        using var q = new IpcQueue<int>(4096);
        using (var t = new Tamperer(q.Name)) *(int*)(t.Control + QueueLayout.CapacityOffset) = 3000;
        Assert.Throws<IpcSegmentCorruptedException>(() => IpcQueue<int>.Attach(q.Name).Dispose());
    }

    [Test]
    public void Get_RecordLengthRewritten_ThrowsCorruptedInsteadOfReadingPastTheMapping()
    {
        using var q = new IpcQueue<byte[]>(4096);
        q.Put([1, 2, 3]);
        using (var t = new Tamperer(q.Name)) *(int*)(t.Ring + QueueLayout.RecordLengthOffset) = 64 << 20;
        Assert.Throws<IpcSegmentCorruptedException>(() => q.Get(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void Put_TailRewrittenToAnOddPosition_ThrowsCorruptedInsteadOfWritingPastTheRing()
    {
        using var q = new IpcQueue<int>(4096);
        using (var t = new Tamperer(q.Name))
        {
            *(long*)(t.Control + QueueLayout.TailOffset) = 4096 - 3;
            *(long*)(t.Control + QueueLayout.HeadOffset) = 4096 - 3;
            *(long*)(t.Control + QueueLayout.ReleasedOffset) = 4096 - 3;
        }
        Assert.Throws<IpcSegmentCorruptedException>(() => q.Put(1, TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void ChunkedMessage_TotalLengthRewritten_ThrowsCorrupted()
    {
        using var q = new IpcQueue<byte[]>(4096);
        var put = Task.Run(() => q.Put(new byte[10_000], TimeSpan.FromSeconds(2)));
        using (var t = new Tamperer(q.Name))
        {
            // Once the first chunk is published its total-length prefix is final: rewrite it.
            Assert.That(SpinWait.SpinUntil(() => new RecordHeader(t.Ring).State.Status == RecordStatus.Published, TimeSpan.FromSeconds(10)), Is.True);
            *(long*)(t.Ring + QueueLayout.RecordHeaderSize) = long.MaxValue;
        }
        Assert.Throws<IpcSegmentCorruptedException>(() => q.Get(TimeSpan.FromSeconds(5)));
        Assert.That(Task.WhenAny(put, Task.Delay(TimeSpan.FromSeconds(20))).Result, Is.SameAs(put), "the producer hung");
    }

    [Test]
    public void RandomBytesWrittenIntoALiveQueue_VictimSeesOnlyDefinedExceptionsAndNeverHangs()
    {
        const int Phases = 25, RoundsPerPhase = 200;
        var fuzz = new Random(20240611);
        int ops = 0, corrupt = 0;
        var unexpected = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        for (int phase = 0; phase < Phases; phase++)
            Fuzz(fuzz, RoundsPerPhase, ref ops, ref corrupt, unexpected);
        TestContext.Out.WriteLine($"{Phases * RoundsPerPhase} corrupting writes, {ops} operations completed, {corrupt} IpcSegmentCorruptedException");
        Assert.That(unexpected, Is.Empty, string.Join("\n", unexpected.Take(3)));
        Assert.That(corrupt, Is.GreaterThan(0), "the fuzzer never hit anything checked");
    }

    /// <summary>One fresh queue, two producer and two consumer threads on it, and <paramref name="rounds"/> random
    /// writes into its control block and ring while they run.</summary>
    private static void Fuzz(Random fuzz, int rounds, ref int ops, ref int corrupt, System.Collections.Concurrent.ConcurrentQueue<Exception> unexpected)
    {
        using var q = new IpcQueue<byte[]>(4096);
        using var tamper = new Tamperer(q.Name);
        int capacity = q.CapacityBytes;
        using var stop = new CancellationTokenSource();
        var op = TimeSpan.FromMilliseconds(20);
        int phaseOps = 0, phaseCorrupt = 0;

        void Victim(int seed, bool producer)
        {
            var rng = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (producer) q.Put(new byte[rng.Next(1, 3000)], op);
                    else { q.TryGet(out _, op); _ = q.Count + (q.IsFull ? 1 : 0) + (q.IsEmpty ? 1 : 0); }
                    Interlocked.Increment(ref phaseOps);
                }
                catch (IpcSegmentCorruptedException) { Interlocked.Increment(ref phaseCorrupt); }
                catch (Exception e) when (e is IpcQueueFullException or IpcQueueEmptyException or IpcQueueClosedException
                                              or IpcQueueShutDownException or TimeoutException or IpcSerializationException) { }
                catch (Exception e) { unexpected.Enqueue(e); }
            }
        }

        int seed = fuzz.Next();
        var victims = new[]
        {
            new Thread(() => Victim(seed, producer: true)), new Thread(() => Victim(seed + 1, producer: true)),
            new Thread(() => Victim(seed + 2, producer: false)), new Thread(() => Victim(seed + 3, producer: false)),
        };
        foreach (var v in victims) v.Start();
        long[] interesting = [0, 1, -1, 16, 3, capacity, capacity - 1, capacity + 16, int.MaxValue, long.MaxValue, 1 << 24, Environment.ProcessId];
        for (int round = 0; round < rounds; round++)
        {
            // Half the writes land in the control block, half anywhere; values are random or boundary values.
            int size = 1 << fuzz.Next(4);
            long span = fuzz.Next(2) == 0 ? QueueLayout.RingOffset : QueueLayout.RingOffset + capacity;
            long offset = fuzz.NextInt64(0, span - size + 1);
            long value = fuzz.Next(3) == 0 ? interesting[fuzz.Next(interesting.Length)] : fuzz.NextInt64();
            byte* at = tamper.Control + offset;
            switch (size)
            {
                case 1: *at = (byte)value; break;
                case 2: *(short*)at = (short)value; break;
                case 4: *(int*)at = (int)value; break;
                default: *(long*)at = value; break;
            }
            if (round % 10 == 0) Thread.Sleep(1);
        }
        stop.Cancel();
        foreach (var v in victims) Assert.That(v.Join(TimeSpan.FromSeconds(60)), Is.True, "a victim hung");
        ops += phaseOps;
        corrupt += phaseCorrupt;
    }
}
