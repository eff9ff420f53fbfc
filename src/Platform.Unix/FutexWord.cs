using System.Runtime.InteropServices;
using Tmds.Linux;
using X = NativeIpc.Platform.Unix.Interop.Futex;

namespace NativeIpc.Platform.Unix;

/// <summary>Linux futex on a 32-bit word that may live in memory shared between processes
/// (no FUTEX_PRIVATE_FLAG, so the kernel keys the wait on the physical page).</summary>
internal static unsafe class FutexWord
{
    /// <summary>The outcome of <see cref="Wait"/>.</summary>
    public enum WaitResult
    {
        /// <summary>Woken by a wake call (or spuriously).</summary>
        Woken,
        /// <summary>The word no longer held the expected value when the call started.</summary>
        ValueChanged,
        /// <summary>The timeout elapsed.</summary>
        TimedOut,
        /// <summary>A signal interrupted the wait.</summary>
        Interrupted,
    }

    /// <summary>Sleeps while <c>*address == expected</c>, at most <paramref name="timeoutMs"/> (negative: forever).</summary>
    public static WaitResult Wait(int* address, int expected, int timeoutMs)
    {
        timespec ts;
        timespec* pts = null;
        if (timeoutMs >= 0)
        {
            ts.tv_sec = timeoutMs / 1000;
            ts.tv_nsec = (long_t)((timeoutMs % 1000) * 1_000_000L);
            pts = &ts;
        }
        if (X.futex(address, X.FUTEX_WAIT, expected, pts) == 0) return WaitResult.Woken;
        int e = Marshal.GetLastPInvokeError();
        if (e == Errno.EAGAIN) return WaitResult.ValueChanged;
        if (e == Errno.ETIMEDOUT) return WaitResult.TimedOut;
        if (e == Errno.EINTR) return WaitResult.Interrupted;
        throw PosixErrors.ToException(e, "futex(FUTEX_WAIT)");
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="address"/>; returns how many woke.</summary>
    public static int Wake(int* address, int count)
    {
        long r = X.futex(address, X.FUTEX_WAKE, count, null);
        if (r < 0) throw PosixErrors.FromLastError("futex(FUTEX_WAKE)");
        return (int)r;
    }
}
