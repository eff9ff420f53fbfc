using System.Runtime.Versioning;
using NativeIpc.Platform.Windows;

namespace NativeIpc.Os.Windows;

/// <summary>Named file mappings backed by the paging file. Windows reference-counts the name: it disappears with the
/// last handle, so nothing can leak and unlink, tracking and sweeping have nothing to do.</summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsSharedMemory : ISharedMemoryProvider
{
    private const string Namespace = @"Local\";

    public int MaxNameLength => 200;

    public ISharedMapping Create(string name, long size) => new Mapping(WindowsFileMapping.Create(Namespace + name, size), size, name);

    public ISharedMapping Open(string name)
    {
        try { return new Mapping(WindowsFileMapping.Open(Namespace + name), 0, name); }
        catch (WindowsIoException e) when (e.ErrorCode == WindowsIoException.ErrorFileNotFound)
        {
            throw new FileNotFoundException($"No shared memory segment named '{name}' exists.", name, e);
        }
    }

    public bool Unlink(string name) => false;

    public void TrackCrashCleanup(string prefix) { }

    public void TrackName(string name) { }

    public void UntrackName(string name) { }

    public IEnumerable<string> ListNames(string prefix) => [];

    public IEnumerable<int> TrackedOwners() => [];

    public void CleanUpAfter(int owner) { } // names die with their last handle

    private sealed unsafe class Mapping : ISharedMapping
    {
        private readonly WindowsFileMapping _mapping;
        private readonly WindowsMappedView _view;

        public Mapping(WindowsFileMapping mapping, long size, string name)
        {
            _mapping = mapping;
            _view = mapping.Map(0, size);
            // A whole-section view (size 0) reports whole pages: at least what the creator asked for.
            Length = _view.Length;
            Pointer = _view.Pointer;
            MappedRegions.Add((nint)Pointer, Length, name); // parking keys words by segment name and offset
        }

        public byte* Pointer { get; }
        public long Length { get; }

        public void Dispose()
        {
            MappedRegions.Remove((nint)Pointer);
            _view.Dispose();
            _mapping.Dispose();
        }
    }
}
