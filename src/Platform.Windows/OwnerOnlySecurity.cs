using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;
using NativeIpc.Platform.Windows.Interop;

namespace NativeIpc.Platform.Windows;

/// <summary>The security of every kernel object these wrappers create: a protected DACL with a single entry, all
/// access for the current user, so no other account can open a name (as the Linux side creates its names 0600).
/// Nothing is inherited from the default DACL (which on a server may admit other users or groups).</summary>
internal static unsafe class OwnerOnlySecurity
{
    private static readonly Lazy<nint> s_descriptor = new(Build);

    /// <summary>The SDDL of the descriptor: <c>D:P(A;;GA;;;&lt;current user's SID&gt;)</c>.</summary>
    [SupportedOSPlatform("windows")]
    public static string Sddl
    {
        get
        {
            using var identity = WindowsIdentity.GetCurrent();
            return $"D:P(A;;GA;;;{identity.User!.Value})";
        }
    }

    /// <summary>Security attributes to pass to a Create function (handle not inheritable).</summary>
    internal static Kernel32.SECURITY_ATTRIBUTES Attributes => new()
    {
        nLength = (uint)sizeof(Kernel32.SECURITY_ATTRIBUTES),
        lpSecurityDescriptor = s_descriptor.Value,
        bInheritHandle = 0,
    };

    /// <summary>The DACL of the named event <paramref name="name"/> as SDDL, e.g. to check that it is not open to
    /// other accounts.</summary>
    public static string DaclOfEvent(string name)
    {
        using var h = Kernel32.OpenEventW(Kernel32.READ_CONTROL, false, name);
        WindowsIoException.ThrowIfInvalid(h, "OpenEventW", name);
        return DaclOf(h);
    }

    /// <summary>The DACL of the named file mapping <paramref name="name"/> as SDDL.</summary>
    public static string DaclOfSection(string name)
    {
        using var h = Kernel32.OpenFileMappingW(Kernel32.READ_CONTROL, false, name);
        WindowsIoException.ThrowIfInvalid(h, "OpenFileMappingW", name);
        return DaclOf(h);
    }

    /// <summary>The DACL of the object behind <paramref name="handle"/> as SDDL (GetSecurityInfo); the handle needs
    /// READ_CONTROL access.</summary>
    public static string DaclOf(SafeHandle handle)
    {
        nint dacl, descriptor;
        uint rc = Advapi32.GetSecurityInfo(handle, Advapi32.SE_KERNEL_OBJECT, Advapi32.DACL_SECURITY_INFORMATION, null, null, &dacl, null, &descriptor);
        if (rc != 0) throw new WindowsIoException("GetSecurityInfo", (int)rc);
        try
        {
            char* text;
            if (!Advapi32.ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor, Advapi32.SDDL_REVISION_1,
                    Advapi32.DACL_SECURITY_INFORMATION, &text, null))
                throw WindowsIoException.FromLastError("ConvertSecurityDescriptorToStringSecurityDescriptorW");
            try { return new string(text); }
            finally { Kernel32.LocalFree((nint)text); }
        }
        finally { Kernel32.LocalFree(descriptor); }
    }

    // Self-relative binary form in native memory, kept for the life of the process (every Create passes it).
    private static nint Build()
    {
        if (!OperatingSystem.IsWindows()) throw new PlatformNotSupportedException();
        var sd = new RawSecurityDescriptor(Sddl);
        var bytes = new byte[sd.BinaryLength];
        sd.GetBinaryForm(bytes, 0);
        nint p = (nint)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>((void*)p, bytes.Length));
        return p;
    }
}
