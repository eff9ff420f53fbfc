using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>A pagefile-backed section (CreateFileMappingW on INVALID_HANDLE_VALUE): shared memory that lives
/// while any process holds a handle or a view of it.</summary>
internal sealed unsafe class WindowsFileMapping : IDisposable
{
    private readonly bool _writable;

    /// <summary>Wraps an existing mapping handle, e.g. one inherited from a parent.</summary>
    /// <param name="handle">The mapping handle; this object owns it from now on.</param>
    /// <param name="writable">Whether the handle has FILE_MAP_WRITE access, and views are mapped read-write.</param>
    public WindowsFileMapping(SafeWin32Handle handle, bool writable = true) : this(handle, null, writable, created: false) { }

    private WindowsFileMapping(SafeWin32Handle handle, string? name, bool writable, bool created)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Handle = handle;
        Name = name;
        _writable = writable;
        Created = created;
    }

    /// <summary>The section handle.</summary>
    public SafeWin32Handle Handle { get; }

    /// <summary>The object name, or null for an anonymous or wrapped section.</summary>
    public string? Name { get; }

    /// <summary>True when this call created the section; false when it opened one that already existed.</summary>
    public bool Created { get; }

    /// <summary>Creates a read-write, committed section of <paramref name="size"/> bytes
    /// (PAGE_READWRITE | SEC_COMMIT). The memory starts zeroed.</summary>
    /// <param name="name">Object name (e.g. <c>Local\...</c>), or null for an anonymous section passed by handle.</param>
    /// <param name="size">Size in bytes, above zero.</param>
    /// <param name="failIfExists">When a section of that name exists: true throws a <see cref="WindowsIoException"/>
    /// with <see cref="WindowsIoException.ErrorAlreadyExists"/>; false opens it (its size stays as it was) and
    /// sets <see cref="Created"/> to false.</param>
    public static WindowsFileMapping Create(string? name, long size, bool failIfExists = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var sa = OwnerOnlySecurity.Attributes;
        var handle = Kernel32.CreateFileMappingW(Kernel32.INVALID_HANDLE_VALUE, &sa,
            Kernel32.PAGE_READWRITE | Kernel32.SEC_COMMIT, (uint)((ulong)size >> 32), (uint)size, name);
        bool created = WindowsIoException.CheckCreated(handle, "CreateFileMappingW", name, failIfExists);
        return new WindowsFileMapping(handle, name, writable: true, created);
    }

    /// <summary>Opens an existing named section (OpenFileMappingW).</summary>
    /// <exception cref="WindowsIoException">ErrorCode <see cref="WindowsIoException.ErrorFileNotFound"/> when no
    /// section has that name.</exception>
    public static WindowsFileMapping Open(string name, bool writable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        uint access = Kernel32.FILE_MAP_READ | (writable ? Kernel32.FILE_MAP_WRITE : 0);
        var handle = Kernel32.OpenFileMappingW(access, false, name);
        WindowsIoException.ThrowIfInvalid(handle, "OpenFileMappingW", name);
        return new WindowsFileMapping(handle, name, writable, created: false);
    }

    /// <summary>Maps a view (MapViewOfFile).</summary>
    /// <param name="offset">Start in the section; a multiple of the allocation granularity (64 KiB).</param>
    /// <param name="length">Bytes to map, or 0 for everything from <paramref name="offset"/> to the end.</param>
    public WindowsMappedView Map(long offset = 0, long length = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        uint access = Kernel32.FILE_MAP_READ | (_writable ? Kernel32.FILE_MAP_WRITE : 0);
        var view = Kernel32.MapViewOfFile(Handle, access, (uint)((ulong)offset >> 32), (uint)offset, checked((nuint)length));
        WindowsIoException.ThrowIfInvalid(view, "MapViewOfFile", Name);
        return new WindowsMappedView(view, length);
    }

    /// <summary>Closes the section handle; views already mapped stay valid until unmapped.</summary>
    public void Dispose() => Handle.Dispose();
}
