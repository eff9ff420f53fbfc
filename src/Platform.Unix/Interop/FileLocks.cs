namespace NativeIpc.Platform.Unix.Interop;

/// <summary>Open-file-description locks (fcntl F_OFD_*): Tmds.LibC 0.5 has fcntl and struct flock but not the
/// F_OFD_* commands (Linux 3.15+), so their numbers are given here (same on every Linux architecture).</summary>
internal static class FileLocks
{
    public const int F_OFD_GETLK = 36;
    public const int F_OFD_SETLK = 37;
    public const short F_WRLCK = 1;
    public const short F_UNLCK = 2;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;
}
