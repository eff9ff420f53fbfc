using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix;

/// <summary>An owned file descriptor, closed exactly once.</summary>
internal sealed class SafeFd : SafeHandle
{
    /// <summary>Wraps <paramref name="fd"/>; closes it on dispose when <paramref name="ownsHandle"/>.</summary>
    public SafeFd(int fd, bool ownsHandle = true) : base(-1, ownsHandle) => SetHandle(fd);

    /// <summary>The descriptor number.</summary>
    public int Fd => (int)handle;

    /// <inheritdoc/>
    public override bool IsInvalid => (int)handle < 0;

    /// <summary>Holds a reference for one native call, as the SafeHandle marshaller does for a
    /// <c>[LibraryImport]</c>: the descriptor cannot be closed (and its number reused) while the call runs.</summary>
    internal Lease Use() => new(this);

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // A release may run right after a failed call on another thread: keep that call's errno readable.
        int saved = Marshal.GetLastPInvokeError();
        bool ok = Interop.Direct.close((int)handle) == 0;
        Marshal.SetLastPInvokeError(saved);
        return ok;
    }

    /// <summary>A reference on a <see cref="SafeFd"/> for the duration of one call.</summary>
    internal readonly ref struct Lease
    {
        private readonly SafeFd _owner;

        public Lease(SafeFd owner)
        {
            bool added = false;
            owner.DangerousAddRef(ref added);
            _owner = owner;
        }

        /// <summary>The descriptor number, valid until <see cref="Dispose"/>.</summary>
        public int Fd => _owner.Fd;

        public void Dispose() => _owner.DangerousRelease();
    }
}
