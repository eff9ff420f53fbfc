namespace NativeIpc.Platform.Unix.Interop;

/// <summary>Offsets in struct statx (the same on every architecture) of what identifies a file.</summary>
internal static class StatxLayout
{
    public const int Size = 256;
    public const int Ino = 32;         // u64 stx_ino
    public const int DevMajor = 136;   // u32 stx_dev_major
    public const int DevMinor = 140;   // u32 stx_dev_minor
    public const uint STATX_INO = 0x100;
    public const int AT_FDCWD = -100;
    public const int AT_EMPTY_PATH = 0x1000;
}
