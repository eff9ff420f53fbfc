using System.Buffers;

namespace NativeIpc.Memory;

/// <summary>Exposes a segment's payload as <see cref="Memory{T}"/>, so async and buffer APIs can use shared memory
/// directly. Every span it hands out checks the segment first: a disposed segment throws instead of touching an
/// unmapped page.</summary>
internal sealed unsafe class SegmentMemoryManager : MemoryManager<byte>
{
    private readonly SharedSegment _segment;
    private readonly int _length;

    public SegmentMemoryManager(SharedSegment segment, int length)
    {
        _segment = segment;
        _length = length;
    }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_segment.IsDisposed, this);
        return new Span<byte>(_segment.Payload, _length);
    }

    // The mapping never moves, so pinning is handing out the address plus a reference on the mapping: a Dispose
    // meanwhile unmaps only once the pin is released (Unpin).
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        if (!_segment.TryEnter()) throw new ObjectDisposedException(nameof(SharedMemory));
        return new MemoryHandle(_segment.Payload + elementIndex, default, this);
    }

    public override void Unpin() => _segment.Exit();

    // The segment's owner disposes the mapping; this view owns nothing.
    protected override void Dispose(bool disposing) { }
}
