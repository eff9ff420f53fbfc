using System.Runtime.InteropServices;

namespace NativeIpc.Platform.Windows.Interop;

internal static partial class Advapi32
{
    internal const string Lib = "advapi32.dll";
    internal const uint SE_KERNEL_OBJECT = 6;
    internal const uint DACL_SECURITY_INFORMATION = 0x4;
    internal const uint SDDL_REVISION_1 = 1;

    [LibraryImport(Lib, SetLastError = true)]
    internal static unsafe partial uint GetSecurityInfo(SafeHandle handle, uint objectType, uint securityInfo,
        nint* ppsidOwner, nint* ppsidGroup, nint* ppDacl, nint* ppSacl, nint* ppSecurityDescriptor);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool ConvertSecurityDescriptorToStringSecurityDescriptorW(nint securityDescriptor,
        uint requestedStringSDRevision, uint securityInformation, char** stringSecurityDescriptor, nint* stringLength);
}

internal static partial class Kernel32
{
    internal const uint READ_CONTROL = 0x00020000;

    [LibraryImport(Lib)]
    internal static partial nint LocalFree(nint hMem);
}
