using D = NativeIpc.Platform.Unix.Interop.Direct;
using E = NativeIpc.Platform.Unix.Interop.Environment;

namespace NativeIpc.Platform.Unix;

/// <summary>What the programs this process executes inherit: the C library's environment and descriptors
/// without close-on-exec. .NET's <see cref="System.Environment.SetEnvironmentVariable(string, string)"/> changes only
/// its managed copy, which <c>system()</c> and native spawns never see.</summary>
internal static class ChildInheritance
{
    /// <summary>Sets <paramref name="name"/> in the C library's environment (setenv), or removes it when
    /// <paramref name="value"/> is null (unsetenv).</summary>
    /// <exception cref="PosixException">The name is invalid (EINVAL) or memory ran out.</exception>
    public static void SetEnvironmentVariable(string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        int r = value is null ? E.unsetenv(name) : E.setenv(name, value, 1);
        if (r != 0) throw PosixException.FromLastError(value is null ? "unsetenv" : "setenv");
    }

    /// <summary>Marks <paramref name="fd"/> close-on-exec (FD_CLOEXEC), so programs this process starts do not inherit it.</summary>
    /// <exception cref="PosixException">fcntl failed (e.g. EBADF).</exception>
    public static void SetCloseOnExec(SafeFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        // Direct bindings (not Tmds.LibC): a child marks its launch channel before its target (Interop.Direct).
        int flags = D.fcntl(fd.Fd, D.F_GETFD, 0);
        if (flags < 0 || D.fcntl(fd.Fd, D.F_SETFD, flags | D.FD_CLOEXEC) < 0)
            throw new PosixException("fcntl(F_SETFD, FD_CLOEXEC)", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }
}
