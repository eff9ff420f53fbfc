using System.Runtime.InteropServices;
using X = NativeIpc.Platform.Unix.Interop.FutexWaitv;

namespace NativeIpc.Platform.Unix;

/// <summary>Sleeping on several shared 32-bit futex words at once (futex_waitv, Linux 5.16+): returns when any of
/// them is woken, when one does not hold its expected value, or at an absolute CLOCK_MONOTONIC deadline.</summary>
internal static unsafe class FutexWaitAny
{
    /// <summary>Most words one <see cref="Wait"/> can watch.</summary>
    public const int MaxWords = X.FUTEX_WAITV_MAX;

    /// <summary><see cref="Wait"/>'s result when the deadline passed.</summary>
    public const int TimedOut = -1;

    /// <summary><see cref="Wait"/>'s result when some word did not hold its expected value at the start.</summary>
    public const int ValueChanged = -2;

    /// <summary><see cref="Wait"/>'s result when a signal interrupted the wait.</summary>
    public const int Interrupted = -3;

    /// <summary><see cref="Wait"/>'s result when a word's address was not mapped (its owner unmapped it meanwhile).</summary>
    public const int BadAddress = -4;

    private static readonly Lazy<bool> s_supported = new(Probe);

    /// <summary>True when the kernel has futex_waitv.</summary>
    public static bool IsSupported => s_supported.Value;

    /// <summary>CLOCK_MONOTONIC now, in nanoseconds.</summary>
    public static long MonotonicNowNs()
    {
        Interop.__kernel_timespec ts;
        if (X.clock_gettime(X.CLOCK_MONOTONIC, &ts) != 0) throw PosixException.FromLastError("clock_gettime");
        return ts.tv_sec * 1_000_000_000L + ts.tv_nsec;
    }

    /// <summary>Sleeps until any <c>*words[i]</c> is woken or differs from <c>expected[i]</c>, or until
    /// <paramref name="deadlineNs"/> (CLOCK_MONOTONIC ns; <see cref="long.MaxValue"/>: none). Returns the index of the
    /// word that was woken, or one of the negative results (<see cref="TimedOut"/>, <see cref="ValueChanged"/>,
    /// <see cref="Interrupted"/>, <see cref="BadAddress"/>).</summary>
    public static int Wait(ReadOnlySpan<nint> words, ReadOnlySpan<int> expected, long deadlineNs)
    {
        if (words.Length == 0 || words.Length > MaxWords || expected.Length != words.Length)
            throw new ArgumentOutOfRangeException(nameof(words), words.Length, $"futex_waitv watches 1 to {MaxWords} words.");
        var v = stackalloc Interop.futex_waitv[words.Length];
        for (int i = 0; i < words.Length; i++)
        {
            v[i].val = (uint)expected[i];
            v[i].uaddr = (ulong)words[i];
            v[i].flags = X.FUTEX2_SIZE_U32;
            v[i].__reserved = 0;
        }
        Interop.__kernel_timespec ts;
        Interop.__kernel_timespec* pts = null;
        if (deadlineNs != long.MaxValue)
        {
            ts.tv_sec = deadlineNs / 1_000_000_000L;
            ts.tv_nsec = deadlineNs % 1_000_000_000L;
            pts = &ts;
        }
        long r = X.futex_waitv(v, (uint)words.Length, pts, X.CLOCK_MONOTONIC);
        if (r >= 0) return (int)r;
        int e = Marshal.GetLastPInvokeError();
        if (e == Errno.ETIMEDOUT) return TimedOut;
        if (e == Errno.EAGAIN) return ValueChanged;
        if (e == Errno.EINTR) return Interrupted;
        if (e == Tmds.Linux.LibC.EFAULT) return BadAddress;
        throw new PosixException("futex_waitv", e);
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        // Zero words is EINVAL where the call exists, ENOSYS where it does not.
        long r = X.futex_waitv(null, 0, null, X.CLOCK_MONOTONIC);
        return r < 0 && Marshal.GetLastPInvokeError() != Errno.ENOSYS;
    }
}
