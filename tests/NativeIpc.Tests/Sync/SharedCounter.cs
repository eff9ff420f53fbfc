namespace NativeIpc.Tests.Sync;

/// <summary>Test-only: a plain (non-atomic) long in a shared segment, so only a working lock keeps its count exact.</summary>
public sealed unsafe class SharedCounter : IDisposable
{
    private readonly SharedSegment _segment;

    private SharedCounter(SharedSegment segment) => _segment = segment;

    public static SharedCounter Create()
    {
        var s = SharedSegment.Create(SegmentKind.RawMemory, sizeof(long));
        s.MarkReady();
        return new SharedCounter(s);
    }

    public static SharedCounter Attach(string name) => new(SharedSegment.Attach(name, SegmentKind.RawMemory));

    public string Name => _segment.Name;

    /// <summary>A deliberately racy read-modify-write.</summary>
    public void IncrementUnsafe()
    {
        long* p = (long*)_segment.Payload;
        long v = Volatile.Read(ref *p);
        Thread.SpinWait(1);
        Volatile.Write(ref *p, v + 1);
    }

    public long Value => Volatile.Read(ref *(long*)_segment.Payload);

    public void Dispose() => _segment.Dispose();
}
