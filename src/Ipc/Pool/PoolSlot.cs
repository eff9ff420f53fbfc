namespace NativeIpc.Pool;

/// <summary>Values of a worker's slot in the pool's shared <c>current</c> array (one i64 per worker): what the parent
/// learns about a worker that died.</summary>
internal static class PoolSlot
{
    /// <summary>Between tasks: a death loses nothing.</summary>
    public const long Idle = 0;

    /// <summary>In a take: a death may have consumed a task message whose id never reached the slot; the parent
    /// reconciles (see <c>ProcessPool.Reconcile</c>). Any positive value is the id of the task being run.</summary>
    public const long Taking = -1;
}
