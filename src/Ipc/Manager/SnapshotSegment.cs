using System.Runtime.CompilerServices;

namespace NativeIpc.Manager;

/// <summary>The shared half of a manager collection: one segment laid out as <see cref="SnapshotLayout"/>, with its
/// embedded lock, the versioned state word and the two snapshot buffers. It moves bytes only; what the entries mean
/// is the business of <see cref="SnapshotStore{TData}"/> and the public collections.</summary>
internal sealed unsafe class SnapshotSegment : IDisposable
{
    /// <summary>Test hook: runs in a writer after the new snapshot is written and before it is published, so a test
    /// can kill the writer exactly there.</summary>
    internal static Action? BeforePublishHook;

    /// <summary>Lock-free read attempts before a reader gives up racing writers and takes the lock.</summary>
    private const int OptimisticReadAttempts = 16;

    private readonly SharedSegment _segment;

    /// <summary>Where readers copy snapshots: per thread, so a cache miss does not allocate.</summary>
    [ThreadStatic] private static byte[]? t_copy;

    private readonly string _typeName;

    private SnapshotSegment(SharedSegment segment, long capacity, SegmentKind kind)
    {
        _segment = segment;
        Capacity = capacity;
        _typeName = kind == SegmentKind.ManagedDict ? "IpcDict" : "IpcList";
    }

    public static SnapshotSegment Create(SegmentKind kind, uint typeTag, long capacity)
    {
        if (capacity < SnapshotLayout.BufferHeaderSize || capacity > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The capacity must be between {SnapshotLayout.BufferHeaderSize} bytes and 2 GiB.");
        var segment = SharedSegment.Create(kind, SnapshotLayout.PayloadSize(capacity), typeTag);
        // A fresh mapping is zero-filled: free lock, state 0, buffer 0 holding an empty snapshot.
        *(long*)(segment.Payload + SnapshotLayout.CapacityOffset) = capacity;
        segment.MarkReady();
        return new SnapshotSegment(segment, capacity, kind);
    }

    public static SnapshotSegment Attach(string name, SegmentKind kind, uint typeTag, string typeName)
    {
        var segment = SharedSegment.Attach(name, kind, typeTag, typeName);
        long capacity = *(long*)(segment.Payload + SnapshotLayout.CapacityOffset);
        if (capacity <= 0 || SnapshotLayout.PayloadSize(capacity) > segment.PayloadLength)
        {
            segment.Dispose();
            throw new IpcSegmentMismatchException($"'{name}' records a capacity of {capacity} bytes that does not fit its {segment.PayloadLength}-byte payload: corrupt.");
        }
        return new SnapshotSegment(segment, capacity, kind);
    }

    public string Name => _segment.Name;

    public long Capacity { get; }

    public bool IsDisposed => _segment.IsDisposed;

    private byte* Payload => _segment.Payload; // callers hold a reference (Enter)

    /// <summary>A reference on the mapping for one read or write (Dispose unmaps only after <see cref="Exit"/>);
    /// <see cref="ObjectDisposedException"/> naming the public collection once disposed.</summary>
    public void Enter() => _segment.Enter(_typeName);

    /// <summary>Drops the reference taken by <see cref="Enter"/>.</summary>
    public void Exit() => _segment.Exit();

    /// <summary>The exception a call blocked across <see cref="Dispose"/> throws.</summary>
    public ObjectDisposedException Disposed() => new(_typeName);

    /// <summary>The current version; its low bit names the current buffer.</summary>
    public long State
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref *(long*)(Payload + SnapshotLayout.StateOffset));
    }

    /// <summary>Takes the lock. A holder that died is no harm here: it either published its snapshot or did not,
    /// so the takeover's <see cref="IpcAbandonedLockException"/> is absorbed.</summary>
    /// <exception cref="LockRecursionException">This thread already holds the lock (e.g. an
    /// <see cref="IpcDict{TKey,TValue}.AddOrUpdate"/> callback touching its own dictionary), which would wait forever.</exception>
    public void EnterWrite()
    {
        byte* l = Payload + SnapshotLayout.LockOffset;
        if (LockWord.TryAcquireFast(l)) return;
        if (LockWord.IsMine(l))
            throw new LockRecursionException($"This thread is already changing shared collection '{Name}': a callback run under its lock may not use it.");
        // Parked with the dispose token: disposing wakes a writer waiting for the lock (ObjectDisposedException).
        try { LockWord.Acquire(l, Deadline.Infinite, _segment.DisposeToken, out _); }
        catch (OperationCanceledException) when (_segment.IsDisposed) { throw Disposed(); }
    }

    public void ExitWrite() => LockWord.Release(Payload + SnapshotLayout.LockOffset);

    /// <summary>The snapshot of <paramref name="state"/> in place. Stable only while holding the lock.</summary>
    public ReadOnlySpan<byte> Entries(long state, out int count)
    {
        byte* buf = Payload + SnapshotLayout.BufferOffset(state, Capacity);
        int used = *(int*)(buf + SnapshotLayout.UsedOffset);
        count = *(int*)(buf + SnapshotLayout.CountOffset);
        if ((uint)used > Capacity || count < 0)
            throw new IpcSegmentCorruptedException($"Shared collection '{Name}' is corrupt: snapshot of {used} bytes ({count} entries) in a {Capacity}-byte buffer.");
        return new ReadOnlySpan<byte>(buf + SnapshotLayout.BufferHeaderSize, used);
    }

    /// <summary>Copies the current snapshot without the lock, retrying while writers race the copy (a seqlock: the
    /// copy is good if the state did not move while it was taken); after a few tries it takes the lock.</summary>
    /// <returns>The copy, valid until this thread's next call.</returns>
    public ReadOnlySpan<byte> CopyCurrent(out long state, out int count)
    {
        byte[] copy = t_copy ??= new byte[256];
        int used;
        for (int attempt = 0; attempt < OptimisticReadAttempts; attempt++)
        {
            state = State;
            byte* buf = Payload + SnapshotLayout.BufferOffset(state, Capacity);
            used = Volatile.Read(ref *(int*)(buf + SnapshotLayout.UsedOffset));
            count = *(int*)(buf + SnapshotLayout.CountOffset);
            if ((uint)used <= Capacity && count >= 0)
            {
                if (copy.Length < used) t_copy = copy = GC.AllocateUninitializedArray<byte>(Math.Max(used, 2 * copy.Length));
                new ReadOnlySpan<byte>(buf + SnapshotLayout.BufferHeaderSize, used).CopyTo(copy);
            }
            // Order the copy's loads before the re-read of the state (a load-load fence, free on x86).
            Interlocked.MemoryBarrier();
            if (State == state && (uint)used <= Capacity && count >= 0) return copy.AsSpan(0, used);
            SpinPhase.Pause(attempt + 1);
        }
        EnterWrite();
        try
        {
            state = State;
            return Entries(state, out count).ToArray();
        }
        finally { ExitWrite(); }
    }

    /// <summary>Writes <paramref name="entries"/> as the snapshot after <paramref name="state"/> and publishes it.
    /// The caller holds the lock and read <paramref name="state"/> under it.</summary>
    /// <exception cref="IpcCapacityExceededException">The entries do not fit; nothing was written that anyone reads.</exception>
    public void Publish(long state, ReadOnlySpan<byte> entries, int count)
    {
        if (entries.Length > Capacity) throw new IpcCapacityExceededException(entries.Length, Capacity);
        byte* p = Payload;
        byte* buf = p + SnapshotLayout.BufferOffset(state + 1, Capacity);
        entries.CopyTo(new Span<byte>(buf + SnapshotLayout.BufferHeaderSize, entries.Length));
        *(int*)(buf + SnapshotLayout.UsedOffset) = entries.Length;
        *(int*)(buf + SnapshotLayout.CountOffset) = count;
        BeforePublishHook?.Invoke();
        // The one store that makes the new snapshot current (release: the buffer's bytes are visible first).
        Volatile.Write(ref *(long*)(p + SnapshotLayout.StateOffset), state + 1);
    }

    /// <summary>Marks the collection disposed, wakes a writer blocked on its lock and unmaps once no call is using it.</summary>
    public void Dispose() => _segment.Dispose();
}
