namespace NativeIpc.Manager;

/// <summary>Where a manager collection's snapshot lives: a shared segment (<see cref="SnapshotStore{TData}"/>, the
/// local fast path) or a remote manager's server (<see cref="RemoteSnapshotStore{TData}"/>). The collections
/// (<see cref="IpcDict{TKey,TValue}"/>, <see cref="IpcList{T}"/>) are written once, against this.</summary>
internal interface ISnapshotStore<TData> : IDisposable where TData : class
{
    /// <summary>The name other processes open the collection by.</summary>
    string Name { get; }

    /// <summary>Bytes of serialized entries the snapshot may hold.</summary>
    long Capacity { get; }

    bool IsDisposed { get; }

    /// <summary>The current snapshot (a private object: enumerate it freely).</summary>
    TData Read();

    /// <summary>Atomically: reads the current snapshot, lets <paramref name="change"/> decide (a null <c>Next</c>
    /// changes nothing) and publishes the new one written by <paramref name="encode"/>. <paramref name="change"/> may
    /// run more than once (a remote store retries when another process changed the snapshot first).</summary>
    TResult Write<TResult>(Func<TData, (TData? Next, TResult Result)> change, SnapshotStore<TData>.Encoder encode);
}
