using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix;

/// <summary>A failed POSIX call: carries the errno value and the operating system's text for it.</summary>
internal sealed class PosixException : IOException
{
    /// <summary>Creates the exception for <paramref name="operation"/> failing with <paramref name="errno"/>.</summary>
    public PosixException(string operation, int errno, string? detail = null)
        : base($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}){(detail is null ? "" : ": " + detail)}")
    {
        Operation = operation;
        Errno = errno;
        HResult = errno;
    }

    /// <summary>The call that failed, e.g. <c>shm_open</c>.</summary>
    public string Operation { get; }

    /// <summary>The errno value the call reported.</summary>
    public int Errno { get; }

    /// <summary>Throws for the last P/Invoke error of <paramref name="operation"/>.</summary>
    public static PosixException FromLastError(string operation, string? detail = null)
        => new(operation, Marshal.GetLastPInvokeError(), detail);
}
