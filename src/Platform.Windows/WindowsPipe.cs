using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>Anonymous pipes (CreatePipe). Both ends are synchronous handles: open FileStreams on them with isAsync false.</summary>
internal static unsafe class WindowsPipe
{
    /// <summary>Creates a pipe and returns its read and write ends.</summary>
    /// <param name="inheritable">Whether both ends carry HANDLE_FLAG_INHERIT; usually false, and the end meant for
    /// a child is marked with <see cref="WindowsHandle.SetInheritable"/>.</param>
    /// <param name="bufferSize">Suggested buffer size in bytes; 0 for the system default.</param>
    public static (SafeFileHandle Read, SafeFileHandle Write) Create(bool inheritable, int bufferSize = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bufferSize);
        var sa = new Kernel32.SECURITY_ATTRIBUTES
        {
            nLength = (uint)sizeof(Kernel32.SECURITY_ATTRIBUTES),
            bInheritHandle = inheritable ? 1 : 0,
        };
        if (!Kernel32.CreatePipe(out var read, out var write, &sa, (uint)bufferSize))
        {
            var error = WindowsIoException.FromLastError("CreatePipe");
            read.Dispose();
            write.Dispose();
            throw error;
        }
        return (read, write);
    }
}
