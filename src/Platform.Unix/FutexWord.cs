using System.Runtime.InteropServices;
using X = NativeIpc.Platform.Unix.Interop.Futex;

namespace NativeIpc.Platform.Unix;

/// <summary>Linux futex on a 32-bit word that may live in memory shared between processes
/// (no FUTEX_PRIVATE_FLAG, so the kernel keys the wait on the physical page).</summary>
public static unsafe class FutexWord
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
        Interop.timespec ts;
        Interop.timespec* pts = null;
        if (timeoutMs >= 0)
        {
            ts.tv_sec = timeoutMs / 1000;
            ts.tv_nsec = (timeoutMs % 1000) * 1_000_000L;
            pts = &ts;
        }
        if (X.futex(address, X.FUTEX_WAIT, expected, pts, null, 0) == 0) return WaitResult.Woken;
        int e = Marshal.GetLastPInvokeError();
        if (e == Errno.EAGAIN) return WaitResult.ValueChanged;
        if (e == Errno.ETIMEDOUT) return WaitResult.TimedOut;
        if (e == Errno.EINTR) return WaitResult.Interrupted;
        throw new PosixException("futex(FUTEX_WAIT)", e);
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="address"/>; returns how many woke.</summary>
    public static int Wake(int* address, int count)
    {
        long r = X.futex(address, X.FUTEX_WAKE, count, null, null, 0);
        if (r < 0) throw PosixException.FromLastError("futex(FUTEX_WAKE)");
        return (int)r;
    }
}
