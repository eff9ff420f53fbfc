using System.Collections;
using System.Runtime.CompilerServices;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A fixed-length array of unmanaged values in shared memory, seen by every process that has it: Python's
/// <c>multiprocessing.Array</c>. Elements are read and written in place (<see cref="AsSpan"/> is zero-copy); pass the
/// array to an <see cref="IpcProcess"/> as an argument and the child works on the same elements.</summary>
/// <typeparam name="T">An unmanaged element type.</typeparam>
/// <remarks>
/// <para>Element access is not synchronised: coordinate writers yourself (a lock, or one writer per range).</para>
/// <para>The creator removes the segment on dispose; attached copies (e.g. a child's) do not.</para>
/// <para>Python: multiprocessing.Array</para>
/// </remarks>
/// <example><code>
/// using var arr = SharedArray&lt;double&gt;.Create([1.0, 2.0, 3.0]);
/// IpcProcess.Start(Doubler.Run, arr).Join();
/// Console.WriteLine(string.Join(", ", arr)); // 2, 4, 6
/// </code></example>
public sealed unsafe class SharedArray<T> : IDisposable, IEnumerable<T>, ITransferable where T : unmanaged
{
    static SharedArray() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private static readonly uint s_typeTag = SharedSegment.TypeTag(typeof(T));
    private readonly SharedSegment _segment;
    private T* _items;

    private IpcRLock? _lock;
    private bool _lockGiven; // the caller's lock (Python's lock=...): not ours to dispose
    private bool _lockTravels; // a lock other than the companion: children (and theirs) get it by its own name

    private SharedArray(SharedSegment segment)
    {
        _segment = segment;
        Length = ArrayLayout.Length(segment.PayloadLength, sizeof(T));
        _items = (T*)(segment.Payload + ArrayLayout.ElementsOffset);
        // Every page mapped now, in one call: element access never takes a page fault (a 64 MiB fill took more
        // time in 16k faults than in the copy).
        segment.Prefault();
    }

    /// <summary>Creates a zero-filled shared array of <paramref name="length"/> elements.</summary>
    /// <param name="length">Number of elements; must be positive.</param>
    /// <param name="name">A segment name of your choice, or null for an unguessable one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> contains '/' or is too long.</exception>
    /// <exception cref="IOException">Not enough shared memory.</exception>
    /// <remarks>Python: multiprocessing.Array(typecode, size)</remarks>
    /// <param name="withLock">Also create the shared <see cref="IpcRLock"/> that <see cref="GetLock"/> returns.</param>
    public static SharedArray<T> Create(int length, string? name = null, bool withLock = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var segment = SharedSegment.Create(SegmentKind.Array, ArrayLayout.PayloadSize(length, sizeof(T)), s_typeTag, sizeof(T), name);
        return Publish(segment, withLock); // shm pages start zeroed: nothing to initialise
    }

    /// <summary>Creates a shared array holding a copy of <paramref name="items"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="items"/> is empty.</exception>
    /// <remarks>Python: multiprocessing.Array(typecode, sequence)</remarks>
    /// <param name="items">The initial elements (at least one).</param>
    /// <param name="name">A segment name of your choice, or null for an unguessable one.</param>
    /// <param name="withLock">Also create the shared <see cref="IpcRLock"/> that <see cref="GetLock"/> returns.</param>
    public static SharedArray<T> Create(ReadOnlySpan<T> items, string? name = null, bool withLock = false)
    {
        if (items.IsEmpty) throw new ArgumentOutOfRangeException(nameof(items), "A shared array needs at least one element.");
        var segment = SharedSegment.Create(SegmentKind.Array, ArrayLayout.PayloadSize(items.Length, sizeof(T)), s_typeTag, sizeof(T), name);
        segment.Prefault(); // before the copy, which would otherwise fault page by page
        items.CopyTo(new Span<T>(segment.Payload + ArrayLayout.ElementsOffset, items.Length));
        return Publish(segment, withLock); // only now may attachers read the elements
    }

    private static SharedArray<T> Publish(SharedSegment segment, bool withLock)
    {
        try
        {
            var array = new SharedArray<T>(segment) { _lock = withLock ? CompanionLock.Create(segment.Name) : null };
            segment.MarkReady();
            return array;
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    /// <summary>Creates a shared array holding a copy of <paramref name="items"/> whose <see cref="GetLock"/> is
    /// <paramref name="lock"/>, an existing lock (so several objects can share one). The array does not dispose it.</summary>
    /// <param name="items">The initial elements (at least one).</param>
    /// <param name="lock">The lock <see cref="GetLock"/> returns here and in every child the array is passed to.</param>
    /// <param name="name">A segment name of your choice, or null for an unguessable one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="lock"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="items"/> is empty.</exception>
    /// <remarks>Python: multiprocessing.Array(typecode, sequence, lock=existing_lock). An array opened with
    /// <see cref="Attach"/> by name alone does not find the lock; a child given the array as an argument does.</remarks>
    public static SharedArray<T> Create(ReadOnlySpan<T> items, IpcRLock @lock, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(@lock);
        var array = Create(items, name);
        array._lock = @lock;
        array._lockGiven = true;
        array._lockTravels = true;
        return array;
    }

    /// <summary>Creates a zeroed shared array of <paramref name="length"/> elements whose <see cref="GetLock"/> is
    /// <paramref name="lock"/>, an existing lock. The array does not dispose it.</summary>
    /// <param name="length">Number of elements (at least one).</param>
    /// <param name="lock">The lock <see cref="GetLock"/> returns here and in every child the array is passed to.</param>
    /// <param name="name">A segment name of your choice, or null for an unguessable one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="lock"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is zero or negative.</exception>
    /// <remarks>Python: multiprocessing.Array(typecode, size, lock=existing_lock)</remarks>
    public static SharedArray<T> Create(int length, IpcRLock @lock, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(@lock);
        var array = Create(length, name);
        array._lock = @lock;
        array._lockGiven = true;
        array._lockTravels = true;
        return array;
    }

    /// <summary>The lock shared with every process that has this array, for multi-element updates:
    /// <c>using (a.GetLock().Acquire()) { ... }</c></summary>
    /// <exception cref="InvalidOperationException">The array was created without a lock.</exception>
    /// <remarks>Python: Array.get_lock()</remarks>
    public IpcRLock GetLock()
    {
        _ = AsSpan();
        return _lock ?? throw CompanionLock.Missing("shared array");
    }

    /// <summary>Creates a shared array holding a copy of <paramref name="items"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="items"/> is empty.</exception>
    /// <remarks>Python: multiprocessing.Array(typecode, sequence)</remarks>
    /// <param name="items">The initial elements (at least one).</param>
    /// <param name="name">A segment name of your choice, or null for an unguessable one.</param>
    /// <param name="withLock">Also create the shared <see cref="IpcRLock"/> that <see cref="GetLock"/> returns.</param>
    public static SharedArray<T> Create(IEnumerable<T> items, string? name = null, bool withLock = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Create(items is T[] a ? a : items.ToArray(), name, withLock);
    }

    /// <summary>Opens a shared array another process created.</summary>
    /// <exception cref="FileNotFoundException">No segment has that name.</exception>
    /// <exception cref="IpcSegmentMismatchException">The segment is not a shared array of <typeparamref name="T"/>.</exception>
    /// <remarks>Python: (an Array passed to a child process)</remarks>
    public static SharedArray<T> Attach(string name)
    {
        var segment = SharedSegment.Attach(name, SegmentKind.Array, s_typeTag, typeof(T).Name);
        if (segment.ElementSize != sizeof(T) || (segment.PayloadLength - ArrayLayout.ElementsOffset) % sizeof(T) != 0)
        {
            segment.Dispose();
            throw new IpcSegmentMismatchException($"'{name}' does not hold whole {typeof(T).Name} elements ({sizeof(T)} bytes each).");
        }
        return new SharedArray<T>(segment) { _lock = CompanionLock.TryAttach(name) };
    }

    /// <summary>The segment name other processes attach with.</summary>
    /// <remarks>Python: (no equivalent; Array hides its name)</remarks>
    public string Name => _segment.Name;

    /// <summary>Number of elements.</summary>
    /// <remarks>Python: len(arr)</remarks>
    public int Length { get; }

    /// <summary>The element at <paramref name="index"/>, by reference: <c>arr[i] *= 2</c> writes shared memory in place.</summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside [0, Length).</exception>
    /// <exception cref="ObjectDisposedException">The array was disposed.</exception>
    /// <remarks>Python: arr[i]</remarks>
    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            T* p = Items;
            if ((uint)index >= (uint)Length) ThrowIndex(index);
            return ref p[index];
        }
    }

    /// <summary>All elements as a span over the shared memory itself (no copy). Valid until <see cref="Dispose"/>: a
    /// span cannot be protected, so one used after the array was disposed (by any thread) touches unmapped memory
    /// and crashes the process; dispose only once no thread uses a span from it.</summary>
    /// <exception cref="ObjectDisposedException">The array was disposed.</exception>
    /// <remarks>Python: memoryview(arr.get_obj())</remarks>
    public Span<T> AsSpan() => new(Items, Length);

    /// <summary>Sets every element to <paramref name="value"/>. A large array (4 MiB and more, on x64) is written
    /// with non-temporal stores, which bypass the caches: about 1.5x the speed of <c>AsSpan().Fill</c>, and at full
    /// speed in a freshly started process. The writes are complete when it returns: a message sent afterwards
    /// (a queue put, an event set) is never seen before them.</summary>
    /// <exception cref="ObjectDisposedException">The array was disposed.</exception>
    /// <remarks>Python: arr[:] = [value] * len(arr)</remarks>
    public void Fill(T value)
    {
        T* items = Items;
        long bytes = (long)Length * sizeof(T);
        if (BulkMemory.CanFillNonTemporal(sizeof(T), bytes))
        {
            byte* pattern = stackalloc byte[BulkMemory.PatternBytes];
            BulkMemory.WritePattern(pattern, value);
            BulkMemory.FillNonTemporal((byte*)items, bytes, pattern);
        }
        else new Span<T>(items, Length).Fill(value);
    }

    /// <summary>Copies <paramref name="source"/> into the array, starting at element 0.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is longer than the array.</exception>
    /// <remarks>Python: arr[:len(source)] = source</remarks>
    public void CopyFrom(ReadOnlySpan<T> source)
    {
        if (source.Length > Length) throw new ArgumentException($"{source.Length} elements do not fit in a shared array of {Length}.", nameof(source));
        source.CopyTo(AsSpan());
    }

    /// <summary>Copies the array into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the array.</exception>
    /// <remarks>Python: destination[:] = arr[:]</remarks>
    public void CopyTo(Span<T> destination)
    {
        if (destination.Length < Length) throw new ArgumentException($"A destination of {destination.Length} elements cannot hold a shared array of {Length}.", nameof(destination));
        AsSpan().CopyTo(destination);
    }

    /// <summary>A private copy of the elements.</summary>
    /// <remarks>Python: arr[:]</remarks>
    public T[] ToArray() => AsSpan().ToArray();

    /// <summary>Enumerates the elements, reading each from shared memory as it goes.</summary>
    /// <remarks>Python: iter(arr)</remarks>
    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Length; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Unmaps the array; the creator also removes the segment's name. Nothing blocks on an array; spans
    /// handed out by <see cref="AsSpan"/> must no longer be used (they cannot be protected).</summary>
    /// <remarks>Python: (Array is released by garbage collection)</remarks>
    public void Dispose()
    {
        _items = null;
        _segment.Dispose();
        if (!_lockGiven) _lock?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"SharedArray<{typeof(T).Name}>(name='{Name}', length={Length})";

    void ITransferable.WriteTransfer(BinaryWriter writer)
    {
        _ = Items; // throws if disposed: a child could not attach
        writer.Write(Name);
        CompanionLock.WriteTransfer(writer, _lockTravels, _lock);
    }

    internal static SharedArray<T> ReadTransfer(BinaryReader reader)
    {
        var array = Attach(reader.ReadString());
        CompanionLock.ReadTransfer(reader, ref array._lockTravels, ref array._lock);
        return array;
    }

    private T* Items
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            T* p = _items;
            if (p == null) ThrowDisposed();
            return p;
        }
    }

    private void ThrowDisposed() => throw new ObjectDisposedException(ToString());

    private void ThrowIndex(int index) => throw new IndexOutOfRangeException($"Index {index} is outside the shared array's {Length} elements.");
}
