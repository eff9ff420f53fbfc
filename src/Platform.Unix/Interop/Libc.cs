namespace NativeIpc.Platform.Unix.Interop;

/// <summary>Library names and syscall numbers shared by the <c>Interop</c> declarations.</summary>
internal static class Libc
{
    /// <summary>The C library; the runtime resolves it to libc.so.6 on glibc and musl.</summary>
    public const string Name = "libc";

    /// <summary>Syscall numbers of calls glibc has no wrapper for (x86-64 / arm64).</summary>
    public static class SysNo
    {
        public static readonly long futex = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => 202,
            System.Runtime.InteropServices.Architecture.Arm64 => 98,
            System.Runtime.InteropServices.Architecture.X86 => 240,
            System.Runtime.InteropServices.Architecture.Arm => 240,
            _ => -1,
        };

        // Since Linux 5.x new syscalls share one number on every architecture.
        public const long pidfd_send_signal = 424;
        public const long pidfd_open = 434;
        public const long futex_waitv = 449;
    }
}
