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

    // The mapping never moves, so pinning is just handing out the address.
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_segment.IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(_segment.Payload + elementIndex);
    }

    public override void Unpin() { }

    // The segment's owner disposes the mapping; this view owns nothing.
    protected override void Dispose(bool disposing) { }
}
