namespace NativeIpc.Sync;

/// <summary>Payload of an <see cref="IpcBarrier"/> segment:
/// <code>
///  0       4         8                12             16
///  | state | parties | broken gen      | action owner |
///    i32     i32       i32 (-1: none)   i32
/// </code>
/// <c>state</c> is the futex word: bit 31 broken, bits 16..30 generation, bits 0..15 parties arrived in this
/// generation (== parties while the last arriver runs the action). <c>broken gen</c> is a generation ended by
/// <see cref="IpcBarrier.Reset"/> while parties waited, so they throw instead of passing. <c>action owner</c> is the
/// owner id (<see cref="ProcessLiveness.Self"/>) of the process running the action, so waiters can tell when it
/// died. Without an action the last arriver releases the round in the same CAS that counts it, so no state exists in
/// which a dead releaser could leave the others waiting.</summary>
internal static class BarrierLayout
{
    public const int StateOffset = 0;
    public const int PartiesOffset = 4;
    public const int BrokenGenerationOffset = 8;
    public const int ActionOwnerOffset = 12;
    public const int Size = 64;

    public const int BrokenBit = unchecked((int)0x80000000);
    public const int CountMask = 0xFFFF;
    public const int GenerationShift = 16;
    public const int GenerationMask = 0x7FFF;
    public const int MaxParties = CountMask - 1;
}
