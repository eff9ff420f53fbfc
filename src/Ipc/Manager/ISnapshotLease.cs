namespace NativeIpc.Manager;

/// <summary>The lease channel's view of one cached snapshot (<see cref="SnapshotLease{TData}"/>), whatever its type.</summary>
internal interface ISnapshotLease
{
    /// <summary>The version the cache holds (sent with a request: the server answers "unchanged" without the entries).</summary>
    long Version { get; }

    /// <summary>Drops the lease (the server revoked it); the caller then acknowledges.</summary>
    void Revoke();

    /// <summary>Takes a granted lease and the snapshot the reply carries (version, changed, [count, entries]).</summary>
    void Install(LeaseState state, ReadOnlySpan<byte> reply);
}
