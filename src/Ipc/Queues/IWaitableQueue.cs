namespace NativeIpc.Queues;

/// <summary>What <see cref="Multiprocessing.Wait"/> needs of a queue of any item type: a readiness probe and an async
/// wait for it.</summary>
internal interface IWaitableQueue
{
    /// <summary>True when a take would not wait: an item is there, or the stream has ended and is drained.</summary>
    bool IsReadyToRead { get; }

    /// <summary>Completes when <see cref="IsReadyToRead"/> may hold (true: an item; false: the end).</summary>
    ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken);
}
