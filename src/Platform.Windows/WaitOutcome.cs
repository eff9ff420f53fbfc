namespace NativeIpc.Platform.Windows;

/// <summary>How a wait on kernel objects ended.</summary>
internal enum WaitOutcome
{
    /// <summary>The object was signaled (WAIT_OBJECT_0).</summary>
    Signaled,

    /// <summary>A mutex whose owner exited without releasing it (WAIT_ABANDONED_0); the caller now owns it and
    /// the data it guards may be inconsistent.</summary>
    Abandoned,

    /// <summary>The timeout elapsed first (WAIT_TIMEOUT).</summary>
    Timeout,
}
