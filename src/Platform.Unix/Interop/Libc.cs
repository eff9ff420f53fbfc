using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>The library name of the hand-written imports and the syscall numbers Tmds.LibC does not define.</summary>
internal static class Libc
{
    /// <summary>The C library (glibc's libc.so.6, as Tmds.LibC binds).</summary>
    public const string Name = "libc";

    /// <summary>Syscall numbers of calls glibc has no wrapper for (Tmds.LibC names only a few SYS_* constants).</summary>
    public static class SysNo
    {
        public static readonly int futex = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 202,
            Architecture.Arm64 => 98,
            Architecture.X86 => 240,
            Architecture.Arm => 240,
            _ => -1,
        };

        // Since Linux 5.x new syscalls share one number on every architecture.
        public const int pidfd_send_signal = 424;
        public const int pidfd_open = 434;
    }
}
