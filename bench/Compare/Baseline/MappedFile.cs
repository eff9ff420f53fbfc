using System.IO.MemoryMappedFiles;

namespace NativeIpc.Compare.Baseline;

/// <summary>Shared memory the way .NET shares it between unrelated processes on each OS. Linux (and other Unix): a file
/// in /dev/shm (the temp folder elsewhere) mapped with MemoryMappedFile, as named maps are Windows-only; the creator
/// deletes the file. Windows: a named map backed by the paging file (<see cref="MemoryMappedFile.CreateNew(string, long)"/>,
/// children <see cref="MemoryMappedFile.OpenExisting(string)"/>): no file to share, so no sharing violation (a
/// file-backed map opens its file with FileShare.Read, which a second writer cannot open), and the map goes away with
/// its last handle. <see cref="Key"/> is the path or the map name, whichever the children need.</summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly string? _deleteOnDispose;
    private readonly string? _key;

    private MappedFile(MemoryMappedFile map, long size, string? key, string? deleteOnDispose)
    {
        _map = map;
        _view = _map.CreateViewAccessor(0, size);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        Pointer = p + _view.PointerOffset;
        Size = size;
        _key = key;
        _deleteOnDispose = deleteOnDispose;
    }

    public byte* Pointer { get; }

    public long Size { get; }

    public ref long Long(int offset) => ref *(long*)(Pointer + offset);

    public ref int Int(int offset) => ref *(int*)(Pointer + offset);

    public static MappedFile Create(long size)
    {
        string name = $"nipc-compare-{Guid.NewGuid():N}";
        if (OperatingSystem.IsWindows())
            return new MappedFile(MemoryMappedFile.CreateNew(name, size, MemoryMappedFileAccess.ReadWrite), size, name, null);
        string dir = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string path = Path.Combine(dir, name);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.CreateNew, null, size, MemoryMappedFileAccess.ReadWrite);
        return new MappedFile(map, size, path, path);
    }

    /// <summary>Opens the memory a creator made, by its <see cref="Key"/>.</summary>
    public static MappedFile Open(string key, long size) => OperatingSystem.IsWindows()
        ? new MappedFile(MemoryMappedFile.OpenExisting(key, MemoryMappedFileRights.ReadWrite), size, null, null)
        : new MappedFile(MemoryMappedFile.CreateFromFile(key, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite), size, null, null);

    /// <summary>What a child passes to <see cref="Open"/>: the file's path (Unix) or the map's name (Windows).</summary>
    public string Key => _key ?? throw new InvalidOperationException("Only the creator knows the key.");

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        if (_deleteOnDispose is not null) File.Delete(_deleteOnDispose);
    }
}
