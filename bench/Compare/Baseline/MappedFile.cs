using System.IO.MemoryMappedFiles;

namespace NativeIpc.Compare.Baseline;

/// <summary>A file in /dev/shm (the temp folder elsewhere) mapped with MemoryMappedFile, the way .NET shares memory
/// between unrelated processes on Linux (named maps are Windows-only). The creator deletes the file.</summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly string? _deleteOnDispose;

    private MappedFile(string path, long size, bool create)
    {
        _map = MemoryMappedFile.CreateFromFile(path, create ? FileMode.CreateNew : FileMode.Open, null, create ? size : 0, MemoryMappedFileAccess.ReadWrite);
        _view = _map.CreateViewAccessor(0, size);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        Pointer = p + _view.PointerOffset;
        Size = size;
        _deleteOnDispose = create ? path : null;
    }

    public byte* Pointer { get; }

    public long Size { get; }

    public ref long Long(int offset) => ref *(long*)(Pointer + offset);

    public ref int Int(int offset) => ref *(int*)(Pointer + offset);

    public static MappedFile Create(long size)
    {
        string dir = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        return new MappedFile(Path.Combine(dir, $"nipc-compare-{Guid.NewGuid():N}"), size, create: true);
    }

    public static MappedFile Open(string path, long size) => new(path, size, create: false);

    public string FilePath => _deleteOnDispose ?? throw new InvalidOperationException("Only the creator knows the path.");

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        if (_deleteOnDispose is not null) File.Delete(_deleteOnDispose);
    }
}
