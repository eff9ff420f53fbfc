using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A block of raw bytes shared between processes by name: Python's
/// <c>multiprocessing.shared_memory.SharedMemory</c>. Pass it to an <see cref="IpcProcess"/> as an argument (the child
/// attaches to the same bytes) or open it elsewhere with <see cref="Attach(string)"/>.</summary>
/// <remarks>
/// <para>The creator removes the name when it disposes (unless created with <c>track: false</c>), and a crash tracker
/// removes it if the creator dies first, so nothing is left in <c>/dev/shm</c>. Attached copies never remove the name.</para>
/// <para>Windows: a name lives exactly as long as some process holds the segment open (the kernel counts handles),
/// so nothing can be left behind, a name stays attachable while any copy is open (also after its creator disposed),
/// <c>track: false</c> cannot keep a segment past its last handle, and <see cref="Unlink"/> has nothing to remove:
/// it returns false.</para>
/// <para>Python: multiprocessing.shared_memory.SharedMemory</para>
/// </remarks>
/// <example><code>
/// using var shm = SharedMemory.Create(1024);
/// shm.Span[0] = 42;
/// using var other = SharedMemory.Attach(shm.Name); // e.g. in another process
/// Console.WriteLine(other.Span[0]); // 42
/// </code></example>
public sealed unsafe class SharedMemory : IDisposable, ITransferable
{
    static SharedMemory() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly SharedSegment _segment;
    private SegmentMemoryManager? _memory;

    private SharedMemory(SharedSegment segment)
    {
        _segment = segment;
        Size = segment.PayloadLength;
        segment.Prefault(); // every page mapped now: reads and writes take no page fault
    }

    /// <summary>Creates a new shared block of <paramref name="size"/> bytes, zero-filled, with its pages reserved up front
    /// (a full <c>/dev/shm</c> fails here with an <see cref="IOException"/>, never later with SIGBUS).</summary>
    /// <param name="size">Size in bytes; must be positive.</param>
    /// <param name="name">A name of your choice, or null for an unguessable generated one.</param>
    /// <param name="track">False keeps the segment after this process disposes it or dies: you remove it with
    /// <see cref="Unlink"/> (Python 3.13's <c>track=False</c>). Linux only: on Windows a segment lives while any
    /// process holds it open, whatever this says.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is zero or negative, or more than a 64-bit
    /// size can hold with the header.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> contains '/' or is too long.</exception>
    /// <exception cref="IOException">Not enough shared memory, or the name already exists.</exception>
    /// <remarks>Python: SharedMemory(name=None, create=True, size=..., track=True)</remarks>
    public static SharedMemory Create(long size, string? name = null, bool track = true)
    {
        SharedSegment.ThrowIfBadSize(size, nameof(size));
        var segment = SharedSegment.Create(SegmentKind.RawMemory, size, name: name, track: track);
        segment.MarkReady();
        return new SharedMemory(segment);
    }

    /// <summary>Opens an existing shared block by name. If its creator is still creating it, waits (up to two seconds)
    /// for it to be ready.</summary>
    /// <exception cref="FileNotFoundException">No segment has that name.</exception>
    /// <exception cref="IpcSegmentMismatchException">The segment is not a <see cref="SharedMemory"/> (e.g. a SharedArray).</exception>
    /// <exception cref="IpcSegmentNotReadyException">Its creator did not finish creating it in time (still initialising,
    /// or died while creating).</exception>
    /// <remarks>Python: SharedMemory(name=..., create=False)</remarks>
    public static SharedMemory Attach(string name) => new(SharedSegment.Attach(name, SegmentKind.RawMemory));

    /// <summary>Opens an existing shared block by name, waiting up to <paramref name="readyTimeout"/> for its creator to
    /// finish creating it.</summary>
    /// <param name="name">The block's name.</param>
    /// <param name="readyTimeout">How long to wait for a block that is still being created; <see cref="Timeout.InfiniteTimeSpan"/> waits as long as it takes.</param>
    /// <exception cref="FileNotFoundException">No segment has that name.</exception>
    /// <exception cref="IpcSegmentMismatchException">The segment is not a <see cref="SharedMemory"/> (e.g. a SharedArray).</exception>
    /// <exception cref="IpcSegmentNotReadyException">Its creator did not finish creating it within <paramref name="readyTimeout"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="readyTimeout"/> is negative and not infinite.</exception>
    /// <remarks>Python: SharedMemory(name=..., create=False)</remarks>
    public static SharedMemory Attach(string name, TimeSpan readyTimeout)
        => new(SharedSegment.Attach(name, SegmentKind.RawMemory, readyTimeout: readyTimeout));

    /// <summary>The name other processes attach with.</summary>
    /// <remarks>Python: SharedMemory.name</remarks>
    public string Name => _segment.Name;

    /// <summary>Size in bytes, as given at create (the NativeIpc header is not counted).</summary>
    /// <remarks>Python: SharedMemory.size</remarks>
    public long Size { get; }

    /// <summary>The bytes, as a span. Valid until <see cref="Dispose"/> (a span used after it, by any thread, touches
    /// unmapped memory: spans cannot be protected); for blocks over 2 GiB use <see cref="AsSpan(long, int)"/>.</summary>
    /// <exception cref="ObjectDisposedException">The block was disposed.</exception>
    /// <remarks>Python: SharedMemory.buf</remarks>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_segment.IsDisposed, this);
            if (Size > int.MaxValue) throw new InvalidOperationException($"The block is {Size} bytes, more than a span holds; use AsSpan(offset, length).");
            return new Span<byte>(_segment.Payload, (int)Size);
        }
    }

    /// <summary>A window of the bytes starting at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The window does not lie inside the block.</exception>
    /// <exception cref="ObjectDisposedException">The block was disposed.</exception>
    /// <remarks>Python: SharedMemory.buf[offset:offset+length]</remarks>
    public Span<byte> AsSpan(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(_segment.IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        // Compared as 'offset > Size - length' so a huge offset cannot overflow past the check.
        if (offset > Size - length) throw new ArgumentOutOfRangeException(nameof(length), $"{length} bytes at offset {offset} do not lie inside the block's {Size} bytes.");
        return new Span<byte>(_segment.Payload + offset, length);
    }

    /// <summary>The bytes as <see cref="Memory{T}"/> (for async and buffer APIs). Getting its span or pinning it after
    /// <see cref="Dispose"/> throws <see cref="ObjectDisposedException"/>; a pin taken before keeps the mapping alive
    /// until it is released, so an I/O in flight never writes into unmapped memory. A span taken from it is as
    /// unprotected as <see cref="Span"/>.</summary>
    /// <remarks>Python: SharedMemory.buf (a memoryview)</remarks>
    public Memory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(_segment.IsDisposed, this);
            if (Size > int.MaxValue) throw new InvalidOperationException($"The block is {Size} bytes, more than Memory<byte> holds; use AsSpan(offset, length).");
            _memory ??= new SegmentMemoryManager(_segment, (int)Size);
            return _memory.Memory;
        }
    }

    /// <summary>Removes the name now, so no one else can attach; mappings already open (this one included) stay valid.
    /// Returns false if the name was already gone, and always on Windows, where a name cannot be removed: it goes with
    /// the last open copy.</summary>
    /// <remarks>Python: SharedMemory.unlink()</remarks>
    public bool Unlink() => _segment.Unlink();

    /// <summary>Unmaps the block. In the creator (created with <c>track: true</c>) it also removes the name.</summary>
    /// <remarks>Python: SharedMemory.close() (plus unlink() in the tracked creator)</remarks>
    /// <remarks>Spans handed out earlier must no longer be used (they cannot be protected); pinned
    /// <see cref="Memory"/> keeps the mapping until unpinned.</remarks>
    public void Dispose() => _segment.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"SharedMemory(name='{Name}', size={Size})";

    void ITransferable.WriteTransfer(BinaryWriter writer)
    {
        ObjectDisposedException.ThrowIf(_segment.IsDisposed, this);
        writer.Write(Name);
    }

    internal static SharedMemory ReadTransfer(BinaryReader reader) => Attach(reader.ReadString());
}
