namespace NativeIpc.Os;

/// <summary>Sleep/wake on a 32-bit word in shared memory, across processes: Linux futex (shared); Windows a named
/// event per sleeping thread found through a shared table (<see cref="Windows.EventWaiter"/>). Callers spin first and call this only to sleep.</summary>
internal unsafe interface IAddressWaiter
{
    /// <summary>Sleeps while <c>*address == expected</c>, at most <paramref name="timeoutMs"/> ms (-1: no limit).
    /// May return early (spuriously): callers re-check their condition. False only when the time ran out.</summary>
    bool Wait(int* address, int expected, int timeoutMs);

    /// <summary>Wakes up to <paramref name="count"/> sleepers on <paramref name="address"/> (<see cref="int.MaxValue"/>: all).</summary>
    void Wake(int* address, int count);
}
