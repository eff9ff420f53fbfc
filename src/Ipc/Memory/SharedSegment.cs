using System.Runtime.CompilerServices;
using System.Text;
using NativeIpc.Os;

namespace NativeIpc.Memory;

/// <summary>A named shared-memory segment with the NativeIpc header (<see cref="SegmentLayout"/>): the one building
/// block under every shared object. The creator removes the name on dispose (unless it opted out); a crash
/// tracker and a start-up sweep remove names whose creator died.</summary>
/// <remarks>Dispose never races into a crash: every call that touches the mapping holds it — a synchronous call
/// through <see cref="EnterCall"/>/<see cref="ExitCall"/> (<see cref="CallGuard"/>: two plain stores, no interlocked
/// instruction), an async wait through a counted reference (<see cref="TryEnter"/>/<see cref="Exit"/>, one
/// interlocked add each). <see cref="Dispose"/> marks the segment disposed, cancels <see cref="DisposeToken"/> (which
/// blocked calls park with, so they wake and throw <see cref="ObjectDisposedException"/>) and drops the segment's own
/// reference; whoever leaves last unmaps (<see cref="UnmapIfUnused"/>).</remarks>
internal sealed unsafe class SharedSegment : IDisposable
{
    // _state: bit 0 = disposed; the rest counts references in units of RefUnit (the segment's own + one per call).
    private const int DisposedBit = 1;
    private const int RefUnit = 2;

    private static readonly object s_gate = new();
    private static bool s_tracked;
    private ISharedMapping? _mapping;
    private bool _trackedByName;
    private int _state = RefUnit;
    private CancellationTokenSource? _disposing;

    private readonly long _length;

    private SharedSegment(string name, ISharedMapping mapping, long length, bool isCreator, bool unlinkOnDispose)
    {
        Name = name;
        _mapping = mapping;
        _length = length;
        IsCreator = isCreator;
        UnlinkOnDispose = unlinkOnDispose;
    }

    public static ISharedMemoryProvider Provider => OsLayer.SharedMemory;

    /// <summary>The segment's name (without any platform prefix such as '/').</summary>
    public string Name { get; }

    /// <summary>True in the process that created the segment.</summary>
    public bool IsCreator { get; }

    /// <summary>Whether <see cref="Dispose"/> removes the name (creator only).</summary>
    public bool UnlinkOnDispose { get; set; }

    /// <summary>True once <see cref="Dispose"/> was called (the mapping may live on until the last call in flight leaves).</summary>
    public bool IsDisposed => (Volatile.Read(ref _state) & DisposedBit) != 0;

    /// <summary>Takes a reference for a call that touches the mapping; false once disposed. Pair with <see cref="Exit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter()
    {
        if ((Interlocked.Add(ref _state, RefUnit) & DisposedBit) == 0) return true;
        Exit();
        return false;
    }

    /// <summary>Takes a reference (see <see cref="TryEnter"/>), or throws <see cref="ObjectDisposedException"/>
    /// naming <paramref name="typeName"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter(string typeName)
    {
        if (!TryEnter()) ThrowDisposed(typeName);
    }

    /// <summary>Drops a reference taken by <see cref="TryEnter"/>; the last one after <see cref="Dispose"/> unmaps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit()
    {
        if (Interlocked.Add(ref _state, -RefUnit) == DisposedBit) UnmapIfUnused();
    }

    private static long s_lastGuardId;

    /// <summary>This segment object's identity in <see cref="CallGuard"/>'s per-thread slots (unique in the process,
    /// never 0).</summary>
    internal readonly long GuardId = Interlocked.Increment(ref s_lastGuardId);

    /// <summary>Holds the mapping for one synchronous call on this thread (<see cref="CallGuard"/>): no interlocked
    /// instruction; false once disposed. Pair with <see cref="ExitCall"/> on the same thread, in a finally, passing it
    /// <paramref name="call"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool EnterCall(out CallGuard call) => CallGuard.TryEnter(this, out call);

    /// <summary>Ends a call entered by <see cref="EnterCall"/>; after <see cref="Dispose"/> the last one out unmaps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ExitCall(CallGuard call) => CallGuard.Exit(this, call);

    private UnmapOnCollect? _unmapOnCollect;

    /// <summary>Switches this segment to "unmapped when collected": <see cref="Dispose"/> still marks it disposed and
    /// removes the name, but the mapping is released only once the segment object is garbage. For tiny segments whose
    /// calls are one instruction (<see cref="SharedValue{T}"/>'s atomics): such a call needs no <see cref="CallGuard"/>
    /// (whose thread-static lookup and stores would double its cost, and under contention halve the throughput) —
    /// it checks <see cref="IsDisposed"/>, touches the mapping, and keeps the segment reachable up to its last touch
    /// (<c>GC.KeepAlive</c>); no finalizer can run while a call holds the object. Call before the segment is shared
    /// between threads. The price: a disposed segment's pages (one page here) stay mapped until a collection.</summary>
    public void UnmapWhenCollected() => _unmapOnCollect ??= new UnmapOnCollect(_mapping!);

    /// <summary>Unmaps a disposed segment unless a counted reference or a call in some thread still holds it (that
    /// holder calls this again when it leaves). The process-wide barrier makes every call's publish visible first.</summary>
    /// <remarks>Never inlined: the barrier is a runtime call, and inlined into <see cref="CallGuard"/>'s enter and exit
    /// it made every queue and pipe call set up a P/Invoke frame in its prologue (~4 ns a call).</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void UnmapIfUnused()
    {
        if (_unmapOnCollect is not null) return; // the finalizer below unmaps, once no call can hold the segment
        if (Volatile.Read(ref _state) != DisposedBit || Volatile.Read(ref _mapping) is null) return;
        Interlocked.MemoryBarrierProcessWide();
        if (CallGuard.IsHeld(this)) return;
        Unmap();
    }

    /// <summary>Cancelled when <see cref="Dispose"/> starts: a blocked call parks with it (<see cref="WaitToken"/>)
    /// so disposing wakes it. Created on first use (a call that never blocks costs nothing).</summary>
    public CancellationToken DisposeToken
    {
        get
        {
            var cts = Volatile.Read(ref _disposing);
            if (cts is null)
            {
                var created = new CancellationTokenSource();
                cts = Interlocked.CompareExchange(ref _disposing, created, null) ?? created;
                if (cts != created) created.Dispose();
                // Dispose sets the bit before it reads _disposing; we wrote _disposing before reading the bit.
                if (IsDisposed) cts.Cancel();
            }
            return cts.Token;
        }
    }

    /// <summary>The token a blocked call parks with: <paramref name="cancellationToken"/> and <see cref="DisposeToken"/>
    /// (linked into <paramref name="linked"/> when the caller's token can fire; dispose it after the wait).</summary>
    public CancellationToken WaitToken(CancellationToken cancellationToken, out CancellationTokenSource? linked)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            linked = null;
            return DisposeToken;
        }
        linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, DisposeToken);
        return linked.Token;
    }

    /// <summary>True when a wait stopped by <see cref="WaitToken"/> stopped because of <see cref="Dispose"/>, not the
    /// caller's token: the caller then throws <see cref="ObjectDisposedException"/>.</summary>
    public bool DisposedDuring(CancellationToken cancellationToken) => IsDisposed && !cancellationToken.IsCancellationRequested;

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming <paramref name="typeName"/> (the public type).</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowDisposed(string typeName) => throw new ObjectDisposedException(typeName);

    /// <summary>Start of the mapping (the header).</summary>
    public byte* Base => (_mapping ?? throw new ObjectDisposedException($"shared segment '{Name}'")).Pointer;

    /// <summary>Start of the payload, cache-line aligned.</summary>
    public byte* Payload => Base + SegmentLayout.PayloadOffset;

    /// <summary>Payload length in bytes (the header's size, checked against the mapping at attach, minus the header).</summary>
    public long PayloadLength => _length - SegmentLayout.HeaderSize;

    public SegmentKind Kind => SegmentHeader.Kind(Base);

    /// <summary>The creating process's owner id (<see cref="ProcessLiveness.Self"/>).</summary>
    public int CreatorOwner => SegmentHeader.CreatorOwner(Base);

    public int ElementSize => SegmentHeader.ElementSize(Base);

    /// <summary>Creates a segment of <paramref name="payloadSize"/> payload bytes. <paramref name="name"/> null
    /// generates an unguessable one. <paramref name="track"/> false opts out of every automatic removal.</summary>
    public static SharedSegment Create(SegmentKind kind, long payloadSize, uint typeTag = 0, int elementSize = 0, string? name = null, bool track = true)
    {
        ThrowIfBadSize(payloadSize, nameof(payloadSize));
        if (name is not null) ValidateName(name);
        var provider = Provider;
        if (track) EnsureTracked(provider);
        name ??= track ? SegmentNames.New() : SegmentNames.NewUntracked();
        long total = payloadSize + SegmentLayout.HeaderSize;
        var mapping = provider.Create(name, total);
        // Generated names are found by the tracker's prefix; a chosen name must be told to it (after the create
        // succeeded: registering a name that turned out to be someone else's would let our crash remove theirs).
        bool byName = track && !name.StartsWith(SegmentNames.OwnPrefix, StringComparison.Ordinal);
        if (byName) provider.TrackName(name);
        SegmentHeader.Write(mapping.Pointer, kind, total, ProcessLiveness.Self, typeTag, elementSize);
        return new SharedSegment(name, mapping, total, isCreator: true, unlinkOnDispose: track) { _trackedByName = byName };
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="size"/> is a payload size a
    /// segment can have (positive, and small enough that the header still fits a 64-bit size).</summary>
    public static void ThrowIfBadSize(long size, string paramName)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(paramName, size, "The size must be positive.");
        if (size > SegmentLayout.MaxPayloadSize)
            throw new ArgumentOutOfRangeException(paramName, size,
                $"{size} bytes is more than a shared segment can hold: at most {SegmentLayout.MaxPayloadSize} bytes fit beside its {SegmentLayout.HeaderSize}-byte header.");
    }

    /// <summary>Faults the whole mapping in now (SharedArray, SharedMemory): no page fault on their hot path.</summary>
    public void Prefault() => Volatile.Read(ref _mapping)?.Prefault();

    /// <summary>Publishes the payload: attachers wait for this before they read.</summary>
    public void MarkReady() => SegmentHeader.MarkReady(Base);

    /// <summary>Attaches to an existing segment, checking it is a NativeIpc segment of the expected kind and element
    /// type. A segment its creator is still creating is waited for, up to <paramref name="readyTimeout"/>
    /// (default <see cref="SegmentHeader.DefaultReadyTimeout"/>); then <see cref="IpcSegmentNotReadyException"/>.</summary>
    public static SharedSegment Attach(string name, SegmentKind expectedKind, uint typeTag = 0, string? typeName = null, TimeSpan? readyTimeout = null)
    {
        ValidateName(name);
        TimeSpan timeout = readyTimeout ?? SegmentHeader.DefaultReadyTimeout;
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(readyTimeout), timeout, "The timeout must be non-negative or infinite.");
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var spin = new SpinWait();
        while (true)
        {
            var mapping = Provider.Open(name);
            try
            {
                if (mapping.Length < SegmentLayout.HeaderSize && !SegmentHeader.MayBeUnsized(mapping.Length))
                    throw new IpcSegmentMismatchException($"'{name}' is {mapping.Length} bytes, too small to be a NativeIpc segment.");
                // An unsized object gets its size later, so it is opened again; a sized one is watched in place.
                while (mapping.Length >= SegmentLayout.HeaderSize)
                {
                    byte* b = mapping.Pointer;
                    var progress = SegmentHeader.Check(b, mapping.Length, name, expectedKind, typeTag, typeName, out long total);
                    if (progress == SegmentHeader.Progress.Ready)
                        return new SharedSegment(name, mapping, total, isCreator: false, unlinkOnDispose: false);
                    if (Environment.TickCount64 > deadline) throw SegmentHeader.NotReady(name, timeout, SegmentHeader.CreatorOwner(b));
                    Pause(ref spin);
                }
                if (Environment.TickCount64 > deadline) throw SegmentHeader.NotReady(name, timeout, 0);
            }
            catch
            {
                mapping.Dispose();
                throw;
            }
            mapping.Dispose();
            Pause(ref spin);
        }
    }

    // A creator usually finishes within microseconds; a slow one (a large posix_fallocate) is waited for asleep.
    private static void Pause(ref SpinWait spin)
    {
        if (spin.Count < 20) spin.SpinOnce(sleep1Threshold: -1);
        else Thread.Sleep(1);
    }

    /// <summary>A stable 32-bit tag for a type (its full name), for the header's type check.</summary>
    public static uint TypeTag(Type t)
    {
        uint h = 2166136261; // FNV-1a
        foreach (byte c in Encoding.UTF8.GetBytes(t.FullName ?? t.Name)) h = (h ^ c) * 16777619;
        return h | 1; // never 0, which means "unchecked"
    }

    /// <summary>Removes the name now; existing mappings stay valid.</summary>
    public bool Unlink()
    {
        bool removed = Provider.Unlink(Name);
        StopTracking();
        return removed;
    }

    /// <summary>Marks the segment disposed, wakes calls blocked on it (<see cref="DisposeToken"/>), removes the name
    /// (creator, unless opted out) and unmaps once no call is in flight any more.</summary>
    public void Dispose()
    {
        if ((Interlocked.Or(ref _state, DisposedBit) & DisposedBit) != 0) return;
        Volatile.Read(ref _disposing)?.Cancel();
        if (IsCreator && UnlinkOnDispose)
        {
            try { Provider.Unlink(Name); } catch (IOException) { /* already gone */ }
            StopTracking();
        }
        Exit(); // the segment's own reference
    }

    // Reached again if a TryEnter raced the last Exit (it then leaves at once): the exchange makes it happen once.
    // The token source is left to the GC: it has no timer or wait handle, and a late DisposeToken reader may still use it.
    private void Unmap() => Interlocked.Exchange(ref _mapping, null)?.Dispose();

    /// <summary>Unmaps when the segment that owns it is collected (see <see cref="UnmapWhenCollected"/>). Its size is
    /// reported as memory pressure, so a program that makes and drops many such segments collects them in time.</summary>
    private sealed class UnmapOnCollect
    {
        private readonly ISharedMapping _mapping;

        public UnmapOnCollect(ISharedMapping mapping)
        {
            _mapping = mapping;
            GC.AddMemoryPressure(Math.Max(mapping.Length, 1));
        }

        ~UnmapOnCollect()
        {
            _mapping.Dispose();
            GC.RemoveMemoryPressure(Math.Max(_mapping.Length, 1));
        }
    }

    private void StopTracking()
    {
        if (!_trackedByName) return;
        _trackedByName = false;
        Provider.UntrackName(Name);
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        // Newline too: the crash tracker is told names one per line.
        if (name.AsSpan().IndexOfAny("/\\\0\n") >= 0)
            throw new ArgumentException($"Segment name '{name}' may not contain '/', '\\', NUL or a newline.", nameof(name));
        if (name.Length > Provider.MaxNameLength)
            throw new ArgumentException($"Segment name is {name.Length} characters; the limit is {Provider.MaxNameLength}.", nameof(name));
    }

    private static void EnsureTracked(ISharedMemoryProvider provider)
    {
        lock (s_gate)
        {
            if (s_tracked) return;
            SegmentSweep.RemoveLeftovers(provider);
            SegmentSweep.FollowDeaths(provider);
            provider.TrackCrashCleanup(SegmentNames.OwnPrefix);
            s_tracked = true;
        }
    }
}
