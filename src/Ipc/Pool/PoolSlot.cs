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

    /// <summary>Written by the parent before it starts a worker; the worker overwrites it when it reaches its task loop
    /// (after its initializer). A worker that dies with this in its slot failed to start.</summary>
    public const long Starting = -2;
}
