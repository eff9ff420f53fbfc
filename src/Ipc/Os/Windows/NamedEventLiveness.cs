using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Windows;

namespace NativeIpc.Os.Windows;

/// <summary>Liveness by named kernel objects: each process holds the only handles to an event named
/// <c>Local\nipc-live-&lt;owner id&gt;</c>; Windows destroys a named object with its last handle, so "the name opens"
/// means alive (a tester holds it only for the instant of the test). Pid reuse cannot confuse it.</summary>
[SupportedOSPlatform("windows")]
internal sealed class NamedEventLiveness : IProcessLiveness
{
    private WindowsEvent? _own;

    private static string NameOf(int owner) => @"Local\nipc-live-" + owner.ToString(CultureInfo.InvariantCulture);

    public int Claim(string? inherited)
    {
        if (inherited is not null)
        {
            var parts = inherited.Split(',');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int owner)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long handle))
            {
                var h = new SafeWaitHandle((nint)handle, ownsHandle: true);
                WindowsHandle.SetInheritable(h, false);
                _own = new WindowsEvent(h);
                return owner;
            }
        }
        var (id, ev) = Create();
        _own = ev;
        return id;
    }

    public bool IsAlive(int owner)
    {
        if (owner <= 0 || owner > ProcessLiveness.OwnerMask) return false;
        try
        {
            WindowsEvent.Open(NameOf(owner)).Dispose();
            return true;
        }
        catch (WindowsIoException e) when (e.ErrorCode == WindowsIoException.ErrorFileNotFound)
        {
            return false;
        }
        catch (WindowsIoException)
        {
            return true; // exists but not ours to open
        }
    }

    public ReservedOwner Reserve()
    {
        var (owner, ev) = Create();
        return new ReservedOwner(owner, ev.Handle);
    }

    public void Forget(int owner) { } // the name died with its last handle

    public void SweepDead() { }

    public void RemoveOwn(int owner) { } // the name dies with the process's handle

    private static (int, WindowsEvent) Create()
    {
        while (true)
        {
            int owner = RandomNumberGenerator.GetInt32(1, ProcessLiveness.OwnerMask);
            try { return (owner, WindowsEvent.Create(NameOf(owner), manualReset: true)); }
            catch (WindowsIoException e) when (e.ErrorCode == WindowsIoException.ErrorAlreadyExists) { }
        }
    }
}
