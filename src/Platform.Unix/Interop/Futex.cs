namespace NativeIpc.Platform.Unix.Interop;

/// <summary>futex(2) through syscall(2): shared (not private) wait/wake on a 32-bit word.</summary>
internal static unsafe class Futex
{
    public const int FUTEX_WAIT = 0;
    public const int FUTEX_WAKE = 1;

    public static long futex(int* uaddr, int op, int val, timespec* timeout, int* uaddr2, int val3)
        => Process.syscall(Libc.SysNo.futex, (long)uaddr, op, val, (long)timeout, (long)uaddr2, val3);
}

/// <summary>struct timespec.</summary>
internal struct timespec
{
    public long tv_sec;
    public long tv_nsec;
}
