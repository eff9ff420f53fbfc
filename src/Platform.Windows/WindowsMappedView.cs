using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>A mapped view of a <see cref="WindowsFileMapping"/>: a base pointer and a length, unmapped on Dispose.</summary>
internal sealed unsafe class WindowsMappedView : IDisposable
{
    private readonly SafeMappedViewHandle _view;
    private readonly byte* _pointer;

    internal WindowsMappedView(SafeMappedViewHandle view, long requestedLength)
    {
        _view = view;
        _pointer = (byte*)view.DangerousGetHandle();
        // A section's size cannot be asked for; the view's region (whole pages) is what VirtualQuery knows.
        Length = requestedLength != 0 ? requestedLength : (long)QueryRegionSize(view.DangerousGetHandle());
    }

    /// <summary>The first byte of the view. Valid until <see cref="Dispose"/>.</summary>
    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_view.IsClosed, this);
            return _pointer;
        }
    }

    /// <summary>Bytes mapped: the requested length, or for a whole-section view the size VirtualQuery reports,
    /// which is the section size rounded up to whole pages.</summary>
    public long Length { get; }

    /// <summary>The view as a span; views of 2 GiB and more must be used through <see cref="Pointer"/>.</summary>
    public Span<byte> AsSpan() => new(Pointer, checked((int)Length));

    /// <summary>Writes the view's dirty pages (FlushViewOfFile). Pagefile-backed sections need this only for
    /// its ordering effect; other processes see writes at once.</summary>
    public void Flush()
    {
        if (!Kernel32.FlushViewOfFile((nint)Pointer, (nuint)Length))
            throw WindowsIoException.FromLastError("FlushViewOfFile");
    }

    /// <summary>Unmaps the view (UnmapViewOfFile).</summary>
    public void Dispose() => _view.Dispose();

    private static nuint QueryRegionSize(nint address)
    {
        Kernel32.MEMORY_BASIC_INFORMATION info;
        if (Kernel32.VirtualQuery(address, &info, (nuint)sizeof(Kernel32.MEMORY_BASIC_INFORMATION)) == 0)
            throw WindowsIoException.FromLastError("VirtualQuery");
        return info.RegionSize;
    }
}
