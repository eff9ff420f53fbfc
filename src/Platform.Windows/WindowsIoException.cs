using System.Runtime.InteropServices;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>A failed Win32 call: carries the error code from GetLastError and the operating system's text for it.</summary>
internal sealed class WindowsIoException : IOException
{
    /// <summary>ERROR_FILE_NOT_FOUND: e.g. opening a named object that does not exist.</summary>
    public const int ErrorFileNotFound = 2;

    /// <summary>ERROR_ACCESS_DENIED.</summary>
    public const int ErrorAccessDenied = 5;

    /// <summary>ERROR_INVALID_PARAMETER: also what OpenProcess reports for a pid that is not running.</summary>
    public const int ErrorInvalidParameter = 87;

    /// <summary>ERROR_ALREADY_EXISTS: a create-new call found an object of that name.</summary>
    public const int ErrorAlreadyExists = Kernel32.ERROR_ALREADY_EXISTS;

    /// <summary>Creates the exception for <paramref name="operation"/> failing with <paramref name="errorCode"/>.</summary>
    public WindowsIoException(string operation, int errorCode, string? detail = null)
        : base($"{operation} failed: {Marshal.GetPInvokeErrorMessage(errorCode)} (error {errorCode}){(detail is null ? "" : ": " + detail)}")
    {
        Operation = operation;
        ErrorCode = errorCode;
        // HRESULT_FROM_WIN32, as the BCL does for its own IOExceptions.
        HResult = errorCode <= 0 ? errorCode : unchecked((int)0x80070000 | (errorCode & 0xFFFF));
    }

    /// <summary>The call that failed, e.g. <c>CreateFileMappingW</c>.</summary>
    public string Operation { get; }

    /// <summary>The Win32 error code the call reported.</summary>
    public int ErrorCode { get; }

    /// <summary>Builds the exception from the last P/Invoke error of <paramref name="operation"/>.</summary>
    public static WindowsIoException FromLastError(string operation, string? detail = null)
        => new(operation, Marshal.GetLastPInvokeError(), detail);

    /// <summary>Throws the last error when a handle-returning call gave back an invalid handle. Reads nothing
    /// else, so on success the call's last error is still there for <see cref="CheckCreated"/>.</summary>
    internal static void ThrowIfInvalid(SafeHandle handle, string operation, string? detail = null)
    {
        if (!handle.IsInvalid) return;
        var error = FromLastError(operation, detail);
        handle.Dispose();
        throw error;
    }

    /// <summary>Checks the handle a Create*W call returned. Such calls hand back the existing object with
    /// ERROR_ALREADY_EXISTS; that is either reported (returns false) or, for create-new, closed and thrown.</summary>
    internal static bool CheckCreated(SafeHandle handle, string operation, string? name, bool failIfExists)
    {
        ThrowIfInvalid(handle, operation, name);
        int error = Marshal.GetLastPInvokeError();
        if (error != Kernel32.ERROR_ALREADY_EXISTS) return true;
        if (!failIfExists) return false;
        handle.Dispose();
        throw new WindowsIoException(operation, error, name);
    }
}
