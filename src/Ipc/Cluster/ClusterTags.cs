namespace NativeIpc.Cluster;

/// <summary>MPI tags of ClusterPool's messages. Bodies: <see cref="Key"/> is the pool key (32 bytes); <see cref="Task"/>
/// and <see cref="Result"/> are <see cref="PoolMessageLayout"/> task and result messages, exactly as ProcessPool's
/// queues carry them; <see cref="Shutdown"/> and <see cref="Bye"/> are empty.</summary>
internal static class ClusterTags
{
    /// <summary>Rank 0 to a worker, once: the key that authenticates task targets (HMAC, as in ProcessPool).</summary>
    public const int Key = 1;

    /// <summary>Rank 0 to a worker: run this chunk.</summary>
    public const int Task = 2;

    /// <summary>A worker to rank 0: the outcome of the chunk it was sent first among those it still holds.</summary>
    public const int Result = 3;

    /// <summary>Rank 0 to a worker: no more tasks; answer <see cref="Bye"/> and end the process.</summary>
    public const int Shutdown = 4;

    /// <summary>A worker to rank 0: it has sent every result and is finalizing.</summary>
    public const int Bye = 5;
}
