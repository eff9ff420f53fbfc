namespace NativeIpc.Sync;

/// <summary>The shared segment under one sync primitive: creates or attaches it and hands out the payload pointer,
/// throwing <see cref="ObjectDisposedException"/> once disposed. Disposing while another thread of this process still
/// waits on the primitive is not supported (its memory is unmapped).</summary>
internal sealed unsafe class SyncHandle : IDisposable
{
    private readonly SharedSegment _segment;
    private readonly string _typeName;
    private byte* _payload;

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

    public void Dispose()
    {
        _payload = null;
        _segment.Dispose();
    }

    private void ThrowDisposed() => throw new ObjectDisposedException(_typeName);
}
