using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>futex_waitv(2) (Linux 5.16+): sleep on up to 128 futex words at once. Declared here on its own (with its
/// own syscall and clock_gettime imports) so it does not depend on the rest of the interop layer.</summary>
internal static unsafe partial class FutexWaitv
{
    /// <summary>The syscall number: 449 on every architecture since the unified table.</summary>
    public const long SYS_futex_waitv = 449;

    /// <summary>Most words one call can wait on.</summary>
    public const int FUTEX_WAITV_MAX = 128;

    /// <summary>Size flag for 32-bit words; without FUTEX2_PRIVATE (128) the wait is keyed for shared memory.</summary>
    public const uint FUTEX2_SIZE_U32 = 2;

    public const int CLOCK_MONOTONIC = 1;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int clock_gettime(int clockid, __kernel_timespec* tp);

    /// <summary>futex_waitv(waiters, nr_futexes, flags = 0, timeout (absolute), clockid).</summary>
    public static long futex_waitv(futex_waitv* waiters, uint nr, __kernel_timespec* timeout, int clockid)
        => syscall(SYS_futex_waitv, (long)waiters, nr, 0, (long)timeout, clockid, 0);
}

/// <summary>struct futex_waitv.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct futex_waitv
{
    public ulong val;
    public ulong uaddr;
    public uint flags;
    public uint __reserved;
}

/// <summary>struct __kernel_timespec (64-bit fields on every architecture; what futex_waitv takes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct __kernel_timespec
{
    public long tv_sec;
    public long tv_nsec;
}
