using System.Runtime.Versioning;
using NativeIpc.Platform.Unix;

namespace NativeIpc.Os.Unix;

/// <summary>futex WAIT/WAKE without FUTEX_PRIVATE_FLAG, so it works on words in memory shared between processes.</summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class FutexWaiter : IAddressWaiter
{
    public bool Wait(int* address, int expected, int timeoutMs)
        => FutexWord.Wait(address, expected, timeoutMs) != FutexWord.WaitResult.TimedOut;

    public void Wake(int* address, int count) => FutexWord.Wake(address, count);
}
