using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NativeIpc.Platform.Windows.Interop;

internal static partial class Kernel32
{
    [LibraryImport(Lib, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool CreatePipe(out SafeFileHandle hReadPipe, out SafeFileHandle hWritePipe,
        SECURITY_ATTRIBUTES* lpPipeAttributes, uint nSize);
}
