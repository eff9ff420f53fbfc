using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>The NativeIpc column. To plug a workload in: add a class implementing <see cref="IWorkload"/> in this
/// folder (its Name one of <see cref="WorkloadCatalog"/>'s), and list it below. Rows without one say "not built yet".</summary>
internal static class NativeIpcSystem
{
    public static ComparedSystem Create() => new("NativeIpc",
    [
        new ProcessStartJoin(),
        new NotApplicable("process-start-join-fork", "n/a: never forks"),
        // After the merge: new QueueOneToOne(8), …, new ValueIncrementUnderLock(), new LockContention(),
        // new EventPingPong(), new ArrayWriteRead() — see README.md "Plugging in a NativeIpc workload".
    ], missingStatus: "not built yet");
}
