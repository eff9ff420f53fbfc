using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>struct flock on 64-bit Linux (F_OFD_* commands).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FileLockRecord
{
    public short l_type;
    public short l_whence;
    public long l_start;
    public long l_len;
    public int l_pid;
}
