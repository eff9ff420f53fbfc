using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>The C library's environment (<c>environ</c>), which exec, posix_spawn with <c>environ</c> and system()
/// pass on; .NET keeps a separate managed copy. Hand-written: Tmds.LibC declares neither call.</summary>
internal static partial class Environment
{
    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int setenv(string name, string value, int overwrite);

    [LibraryImport(Libc.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unsetenv(string name);
}
