using System.Runtime.CompilerServices;

namespace NativeIpc.Sync;

/// <summary>The shared segment under one sync primitive: creates or attaches it and hands out the payload pointer to
/// calls (<see cref="Enter"/>/<see cref="Exit"/>; async waits <see cref="TryAddRef"/> for their whole run); the
/// mapping outlives <see cref="Dispose"/> until the segment is collected, so no call in flight can touch unmapped memory. Disposing wakes sync waits parked with <see cref="WaitToken"/> (they throw
/// <see cref="ObjectDisposedException"/>) and completes pending async parks with it (<see cref="AsyncParker.Abandon"/>).</summary>
internal sealed unsafe class SyncHandle : IDisposable
{
    private readonly SharedSegment _segment;
    private readonly string _typeName;
    private readonly byte* _payload;

    private SyncHandle(SharedSegment segment, string typeName)
    {
        _segment = segment;
        _typeName = typeName;
        _payload = segment.Payload;
        // A primitive's segment is a page or two and its calls are a compare-and-swap: released when collected,
        // so a call needs no per-call guard (Enter/Exit).
        segment.UnmapWhenCollected();
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

    /// <summary>Start of the payload, for a caller that holds a reference (<see cref="Enter"/>, <see cref="TryAddRef"/>);
    /// throws <see cref="ObjectDisposedException"/> once disposed.</summary>
    public byte* Payload
    {
        get
        {
            if (_segment.IsDisposed) ThrowDisposed();
            return _payload;
        }
    }

    public bool IsDisposed => _segment.IsDisposed;

    /// <summary>Start of the payload without the disposed check: only for a caller that holds a reference (its
    /// cleanup after <see cref="Dispose"/> still reaches mapped memory).</summary>
    public byte* Mapped => _payload;

    /// <summary>Starts a synchronous call and returns the payload; <see cref="ObjectDisposedException"/> once disposed.
    /// The mapping outlives <see cref="Dispose"/> until the segment is collected
    /// (<see cref="SharedSegment.UnmapWhenCollected"/>), so a call racing Dispose still touches mapped memory. Pair
    /// with <see cref="Exit"/> after the last touch (an async wait uses <see cref="TryAddRef"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Enter()
    {
        if (_segment.IsDisposed) ThrowDisposed();
        return _payload;
    }

    /// <summary>Ends the call entered by <see cref="Enter"/>: keeps the segment (and its mapping) reachable up to here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => GC.KeepAlive(_segment);

    /// <summary>The token a blocked sync call parks with (see <see cref="SharedSegment.WaitToken"/>).</summary>
    public CancellationToken WaitToken(CancellationToken cancellationToken, out CancellationTokenSource? linked)
        => _segment.WaitToken(cancellationToken, out linked);

    /// <summary>True when a wait stopped by <see cref="WaitToken"/> stopped because the object was disposed.</summary>
    public bool DisposedDuring(CancellationToken cancellationToken) => _segment.DisposedDuring(cancellationToken);

    /// <summary>The exception a call blocked across <see cref="Dispose"/> throws.</summary>
    public ObjectDisposedException Disposed() => new(_typeName);

    public void WriteTransfer(BinaryWriter writer)
    {
        _ = Payload;
        writer.Write(_segment.Name);
    }

    /// <summary>Keeps the mapping alive for an async operation; false once disposed. Pair with <see cref="ReleaseRef"/>.</summary>
    public bool TryAddRef() => _segment.TryEnter();

    /// <summary>Drops a reference; the last one after <see cref="Dispose"/> unmaps.</summary>
    public void ReleaseRef() => _segment.Exit();

    /// <summary>A reference for an async operation, or <see cref="ObjectDisposedException"/>.</summary>
    public void AddRefOrThrow()
    {
        if (!TryAddRef()) ThrowDisposed();
    }

    public void Dispose()
    {
        if (_segment.IsDisposed) return;
        // Marked first, so no new call starts; the pending async parks still hold references, so the memory stays.
        _segment.Dispose();
        AsyncParker.Abandon(this, _typeName);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowDisposed() => throw new ObjectDisposedException(_typeName);
}
