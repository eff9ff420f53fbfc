using System.Runtime.CompilerServices;
using System.Text;
using NativeIpc.Os;

namespace NativeIpc.Memory;

/// <summary>A named shared-memory segment with the NativeIpc header (<see cref="SegmentLayout"/>): the one building
/// block under every shared object. The creator removes the name on dispose (unless it opted out); a crash
/// tracker and a start-up sweep remove names whose creator died.</summary>
internal sealed unsafe class SharedSegment : IDisposable
{
    private static readonly object s_gate = new();
    private static bool s_tracked;
    private ISharedMapping? _mapping;
    private bool _trackedByName;

    private SharedSegment(string name, ISharedMapping mapping, bool isCreator, bool unlinkOnDispose)
    {
        Name = name;
        _mapping = mapping;
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

    public bool IsDisposed => _mapping is null;

    /// <summary>Start of the mapping (the header).</summary>
    public byte* Base => (_mapping ?? throw new ObjectDisposedException($"shared segment '{Name}'")).Pointer;

    /// <summary>Start of the payload, cache-line aligned.</summary>
    public byte* Payload => Base + SegmentLayout.PayloadOffset;

    /// <summary>Payload length in bytes.</summary>
    public long PayloadLength => _mapping!.Length - SegmentLayout.HeaderSize;

    public SegmentKind Kind => (SegmentKind)(*(ushort*)(Base + SegmentLayout.KindOffset));

    public int CreatorPid => *(int*)(Base + SegmentLayout.CreatorPidOffset);

    public int ElementSize => *(int*)(Base + SegmentLayout.ElementSizeOffset);

    /// <summary>Creates a segment of <paramref name="payloadSize"/> payload bytes. <paramref name="name"/> null
    /// generates an unguessable one. <paramref name="track"/> false opts out of every automatic removal.</summary>
    public static SharedSegment Create(SegmentKind kind, long payloadSize, uint typeTag = 0, int elementSize = 0, string? name = null, bool track = true)
    {
        ThrowIfBadSize(payloadSize, nameof(payloadSize));
        if (name is not null) ValidateName(name);
        var provider = Provider;
        if (track) EnsureTracked(provider);
        name ??= track ? SegmentNames.New() : SegmentNames.NewUntracked();
        var mapping = provider.Create(name, payloadSize + SegmentLayout.HeaderSize);
        // Generated names are found by the tracker's prefix; a chosen name must be told to it (after the create
        // succeeded: registering a name that turned out to be someone else's would let our crash remove theirs).
        bool byName = track && !name.StartsWith(SegmentNames.OwnPrefix, StringComparison.Ordinal);
        if (byName) provider.TrackName(name);
        byte* b = mapping.Pointer;
        *(uint*)(b + SegmentLayout.MagicOffset) = SegmentLayout.Magic;
        *(ushort*)(b + SegmentLayout.VersionOffset) = SegmentLayout.Version;
        *(ushort*)(b + SegmentLayout.KindOffset) = (ushort)kind;
        *(long*)(b + SegmentLayout.TotalSizeOffset) = mapping.Length;
        *(int*)(b + SegmentLayout.CreatorPidOffset) = Environment.ProcessId;
        *(uint*)(b + SegmentLayout.TypeTagOffset) = typeTag;
        *(int*)(b + SegmentLayout.ElementSizeOffset) = elementSize;
        return new SharedSegment(name, mapping, isCreator: true, unlinkOnDispose: track) { _trackedByName = byName };
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

    /// <summary>Publishes the payload: attachers wait for this before they read.</summary>
    public void MarkReady() => Volatile.Write(ref *(int*)(Base + SegmentLayout.StateOffset), SegmentLayout.StateReady);

    /// <summary>Attaches to an existing segment, checking it is a NativeIpc segment of the expected kind and element type.</summary>
    public static SharedSegment Attach(string name, SegmentKind expectedKind, uint typeTag = 0, string? typeName = null)
    {
        ValidateName(name);
        var mapping = Provider.Open(name);
        try
        {
            byte* b = mapping.Pointer;
            if (mapping.Length < SegmentLayout.HeaderSize || *(uint*)(b + SegmentLayout.MagicOffset) != SegmentLayout.Magic)
                throw new IpcSegmentMismatchException($"'{name}' is not a NativeIpc segment (no NativeIpc header).");
            ushort version = *(ushort*)(b + SegmentLayout.VersionOffset);
            if (version != SegmentLayout.Version)
                throw new IpcSegmentMismatchException($"'{name}' has layout version {version}; this NativeIpc reads version {SegmentLayout.Version}.");
            var kind = (SegmentKind)(*(ushort*)(b + SegmentLayout.KindOffset));
            if (kind != expectedKind)
                throw new IpcSegmentMismatchException($"'{name}' holds a {kind}, not a {expectedKind}.");
            if (*(long*)(b + SegmentLayout.TotalSizeOffset) != mapping.Length)
                throw new IpcSegmentMismatchException($"'{name}' is {mapping.Length} bytes but its header says {*(long*)(b + SegmentLayout.TotalSizeOffset)}: corrupt or truncated.");
            uint tag = *(uint*)(b + SegmentLayout.TypeTagOffset);
            if (typeTag != 0 && tag != typeTag)
                throw new IpcSegmentMismatchException($"'{name}' was created for another element type than {typeName ?? "the one requested"}.");
            var spin = new SpinWait();
            var deadline = Environment.TickCount64 + 5000;
            while (Volatile.Read(ref *(int*)(b + SegmentLayout.StateOffset)) != SegmentLayout.StateReady)
            {
                if (Environment.TickCount64 > deadline)
                    throw new IpcSegmentMismatchException($"'{name}' was never initialised by its creator (pid {*(int*)(b + SegmentLayout.CreatorPidOffset)}).");
                spin.SpinOnce();
            }
            return new SharedSegment(name, mapping, isCreator: false, unlinkOnDispose: false);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
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

    public void Dispose()
    {
        var m = Interlocked.Exchange(ref _mapping, null);
        if (m is null) return;
        m.Dispose();
        if (IsCreator && UnlinkOnDispose)
        {
            try { Provider.Unlink(Name); } catch (IOException) { /* already gone */ }
            StopTracking();
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
            provider.SweepLeftovers(SegmentNames.Prefix);
            provider.TrackCrashCleanup(SegmentNames.OwnPrefix);
            s_tracked = true;
        }
    }
}
