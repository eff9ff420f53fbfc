using System.Globalization;
using System.Runtime.Versioning;
using NativeIpc.Platform.Windows;
using NUnit.Framework;

namespace NativeIpc.Tests.Os;

/// <summary>Owner-only access on Windows: every named object NativeIpc creates carries a protected DACL with one
/// entry, for the current user (the Linux side creates its names 0600).</summary>
[TestFixture, Platform("Win", Reason = "Windows DACLs (Linux: mode 0600, checked by the segment tests)")]
[SupportedOSPlatform("windows")]
public class WindowsSecurityTests : ChildProcessFixture
{
    private static void AssertOwnerOnly(string dacl)
    {
        string user = System.Security.Principal.WindowsIdentity.GetCurrent().User!.Value;
        Assert.That(dacl, Does.StartWith("D:P"), "the DACL is protected (nothing inherited)");
        Assert.That(dacl.Split("(A;").Length - 1, Is.EqualTo(1), $"one allow entry only: {dacl}");
        Assert.That(dacl, Does.Contain(user), $"the entry is the current user's: {dacl}");
    }

    [Test]
    public void SharedSegment_HasOwnerOnlyDacl()
    {
        using var shm = SharedMemory.Create(64);
        AssertOwnerOnly(OwnerOnlySecurity.DaclOfSection(@"Local\" + shm.Name));
    }

    [Test]
    public void LivenessEvent_HasOwnerOnlyDacl()
    {
        AssertOwnerOnly(OwnerOnlySecurity.DaclOfEvent(@"Local\nipc-live-" + ProcessLiveness.Self.ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Sddl_NamesTheCurrentUserOnly()
        => Assert.That(OwnerOnlySecurity.Sddl, Is.EqualTo($"D:P(A;;GA;;;{System.Security.Principal.WindowsIdentity.GetCurrent().User!.Value})"));
}
