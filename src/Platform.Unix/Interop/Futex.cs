using Tmds.Linux;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>futex(2) through Tmds.LibC's syscall(2): shared (not private) wait/wake on a 32-bit word. glibc has no
/// futex wrapper, so the call number and ops are hand-written (<see cref="Libc.SysNo"/>).</summary>
internal static unsafe class Futex
{
    public const int FUTEX_WAIT = 0;
    public const int FUTEX_WAKE = 1;

    public static long futex(int* uaddr, int op, int val, timespec* timeout)
        => (ssize_t)LibC.syscall(Libc.SysNo.futex, uaddr, op, val, timeout, (void*)null, 0);
}
