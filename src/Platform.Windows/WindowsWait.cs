using System.Runtime.InteropServices;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>WaitForSingleObject and WaitForMultipleObjects with millisecond timeouts (-1: forever).</summary>
internal static unsafe class WindowsWait
{
    /// <summary>The most handles one <see cref="WaitAny"/> or <see cref="WaitAll"/> accepts (MAXIMUM_WAIT_OBJECTS).</summary>
    public const int MaxHandles = Kernel32.MAXIMUM_WAIT_OBJECTS;

    /// <summary>Waits for one object (process, thread, mutex, semaphore, event).</summary>
    public static WaitOutcome WaitOne(SafeHandle handle, int timeoutMilliseconds)
    {
        uint result = Kernel32.WaitForSingleObject(handle, ToNative(timeoutMilliseconds));
        return Outcome(result, 1, "WaitForSingleObject", out _);
    }

    /// <summary>Waits until any one of <paramref name="handles"/> is signaled.</summary>
    /// <param name="handles">Up to <see cref="MaxHandles"/> handles.</param>
    /// <param name="timeoutMilliseconds">Milliseconds, or -1 for no limit.</param>
    /// <param name="index">The lowest index of a signaled or abandoned handle; -1 on timeout.</param>
    public static WaitOutcome WaitAny(IReadOnlyList<SafeHandle> handles, int timeoutMilliseconds, out int index)
        => WaitMultiple(handles, waitAll: false, timeoutMilliseconds, out index);

    /// <summary>Waits until all of <paramref name="handles"/> are signaled at once. <see cref="WaitOutcome.Abandoned"/>
    /// means all were acquired and at least one was an abandoned mutex.</summary>
    public static WaitOutcome WaitAll(IReadOnlyList<SafeHandle> handles, int timeoutMilliseconds)
        => WaitMultiple(handles, waitAll: true, timeoutMilliseconds, out _);

    private static WaitOutcome WaitMultiple(IReadOnlyList<SafeHandle> handles, bool waitAll, int timeoutMilliseconds, out int index)
    {
        ArgumentNullException.ThrowIfNull(handles);
        if (handles.Count is 0 or > MaxHandles)
            throw new ArgumentOutOfRangeException(nameof(handles), $"Between 1 and {MaxHandles} handles are needed.");
        uint timeout = ToNative(timeoutMilliseconds);
        nint* raw = stackalloc nint[handles.Count];
        int added = 0;
        try
        {
            for (; added < handles.Count; added++)
            {
                bool ok = false;
                handles[added].DangerousAddRef(ref ok);
                raw[added] = handles[added].DangerousGetHandle();
            }
            uint result = Kernel32.WaitForMultipleObjects((uint)handles.Count, raw, waitAll, timeout);
            return Outcome(result, handles.Count, "WaitForMultipleObjects", out index);
        }
        finally
        {
            for (int i = 0; i < added; i++) handles[i].DangerousRelease();
        }
    }

    private static WaitOutcome Outcome(uint result, int count, string operation, out int index)
    {
        index = -1;
        if (result == Kernel32.WAIT_TIMEOUT) return WaitOutcome.Timeout;
        if (result < Kernel32.WAIT_OBJECT_0 + count) { index = (int)result; return WaitOutcome.Signaled; }
        if (result >= Kernel32.WAIT_ABANDONED_0 && result < Kernel32.WAIT_ABANDONED_0 + count)
        {
            index = (int)(result - Kernel32.WAIT_ABANDONED_0);
            return WaitOutcome.Abandoned;
        }
        if (result == Kernel32.WAIT_FAILED) throw WindowsIoException.FromLastError(operation);
        throw new InvalidOperationException($"{operation} returned unexpected 0x{result:X}.");
    }

    // -1 becomes INFINITE (0xFFFFFFFF); any other negative is a caller bug.
    internal static uint ToNative(int timeoutMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMilliseconds, -1);
        return unchecked((uint)timeoutMilliseconds);
    }
}
