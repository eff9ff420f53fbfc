using System.Runtime.InteropServices;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix;

/// <summary>The one place errno values become exceptions (model: dotnet/runtime's Interop.IOErrors.cs).
/// ENOENT is <see cref="FileNotFoundException"/>, EACCES/EPERM <see cref="UnauthorizedAccessException"/>, EEXIST and
/// ENOSPC an <see cref="IOException"/> saying so (HResult = errno); anything else a <see cref="PosixException"/>. Each
/// mapped exception carries the <see cref="PosixException"/> (errno and the OS text) as its inner exception.
/// EINTR is retried by the wrappers where a retry is right, so it only reaches here from calls that must not repeat.</summary>
internal static class PosixErrors
{
    /// <summary>The exception for <paramref name="operation"/> failing with <paramref name="errno"/>;
    /// <paramref name="subject"/> names what it acted on (e.g. <c>shared memory object '/x'</c>).</summary>
    public static Exception ToException(int errno, string operation, string? subject = null)
    {
        var os = new PosixException(operation, errno, subject);
        string what = subject ?? "the object";
        if (errno == LibC.ENOENT)
            return new FileNotFoundException($"{Capitalised(what)} does not exist ({operation}: {Text(errno)}).", subject, os);
        if (errno == LibC.EACCES || errno == LibC.EPERM)
            return new UnauthorizedAccessException($"Access to {what} was denied ({operation}: {Text(errno)}).", os);
        if (errno == LibC.EEXIST)
            return new IOException($"{Capitalised(what)} already exists ({operation}).", os) { HResult = errno };
        if (errno == LibC.ENOSPC)
            return new IOException($"Not enough space for {what} ({operation}: {Text(errno)}).", os) { HResult = errno };
        return os;
    }

    /// <summary><see cref="ToException"/> for the calling thread's last P/Invoke error.</summary>
    public static Exception FromLastError(string operation, string? subject = null)
        => ToException(Marshal.GetLastPInvokeError(), operation, subject);

    /// <summary>True when <paramref name="e"/> is this map's "no space left" (ENOSPC) exception.</summary>
    public static bool IsNoSpace(Exception e) => e is IOException && e.HResult == LibC.ENOSPC && e.InnerException is PosixException;

    private static string Text(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
