namespace NativeIpc.Os.Windows;

/// <summary>Windows has no cross-process WaitOnAddress: until parking on named kernel objects lands, sleep in
/// 1 ms steps re-reading the word. Correct, but each wake costs up to a scheduler tick.</summary>
internal sealed unsafe class PollingWaiter : IAddressWaiter
{
    public bool Wait(int* address, int expected, int timeoutMs)
    {
        long deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        while (Volatile.Read(ref *address) == expected)
        {
            if (Environment.TickCount64 >= deadline) return false;
            Thread.Sleep(1);
        }
        return true;
    }

    public void Wake(int* address, int count) { }
}
