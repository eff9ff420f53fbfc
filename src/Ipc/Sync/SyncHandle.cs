namespace NativeIpc.Sync;

/// <summary>The shared segment under one sync primitive: creates or attaches it and hands out the payload pointer,
/// throwing <see cref="ObjectDisposedException"/> once disposed. An async wait holds a reference
/// (<see cref="TryAddRef"/>) for its whole run, so the mapping outlives <see cref="Dispose"/> until the wait has
/// finished; disposing completes its pending parks with <see cref="ObjectDisposedException"/>
/// (<see cref="AsyncParker.Abandon"/>). Disposing while another thread of this process still waits synchronously is
/// not supported (its memory is unmapped).</summary>
internal sealed unsafe class SyncHandle : IDisposable
{
    private readonly SharedSegment _segment;
    private readonly string _typeName;
    private byte* _payload;
    private int _refs = 1; // the handle's own reference, plus one per running async operation

    private SyncHandle(SharedSegment segment, string typeName)
    {
        _segment = segment;
        _typeName = typeName;
        _payload = segment.Payload;
    }

    /// <summary>Creates a zeroed payload of <paramref name="size"/> bytes, lets <paramref name="init"/> fill it, then publishes it.</summary>
    public static SyncHandle Create(SegmentKind kind, int size, string typeName, Action<IntPtr>? init = null, string? name = null)
    {
        var seg = SharedSegment.Create(kind, size, name: name);
        try
        {
            init?.Invoke((IntPtr)seg.Payload);
            seg.MarkReady();
            return new SyncHandle(seg, typeName);
        }
        catch
        {
            seg.Dispose();
            throw;
        }
    }

    public static SyncHandle Attach(string name, SegmentKind kind, string typeName)
        => new(SharedSegment.Attach(name, kind), typeName);

    public string Name => _segment.Name;

    /// <summary>Start of the payload; throws once disposed.</summary>
    public byte* Payload
    {
        get
        {
            byte* p = _payload;
            if (p == null) ThrowDisposed();
            return p;
        }
    }

    public bool IsDisposed => _payload == null;

    public void WriteTransfer(BinaryWriter writer)
    {
        _ = Payload;
        writer.Write(_segment.Name);
    }

    /// <summary>Keeps the mapping alive for an async operation; false once disposed. Pair with <see cref="ReleaseRef"/>.</summary>
    public bool TryAddRef()
    {
        while (true)
        {
            int r = Volatile.Read(ref _refs);
            if (r == 0 || _payload == null) return false;
            if (Interlocked.CompareExchange(ref _refs, r + 1, r) == r) return true;
        }
    }

    /// <summary>Drops a reference; the last one unmaps.</summary>
    public void ReleaseRef()
    {
        if (Interlocked.Decrement(ref _refs) == 0) _segment.Dispose();
    }

    /// <summary>A reference for an async operation, or <see cref="ObjectDisposedException"/>.</summary>
    public void AddRefOrThrow()
    {
        if (!TryAddRef()) ThrowDisposed();
    }

    public void Dispose()
    {
        if (_payload == null) return;
        _payload = null;
        AsyncParker.Abandon(this, _typeName);
        ReleaseRef();
    }

    private void ThrowDisposed() => throw new ObjectDisposedException(_typeName);
}
