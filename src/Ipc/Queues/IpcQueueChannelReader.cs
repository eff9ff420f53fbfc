using System.Threading.Channels;

namespace NativeIpc.Queues;

/// <summary><see cref="IpcQueue{T}.AsChannelReader"/>: the queue's consumer side as a <see cref="ChannelReader{T}"/>,
/// every wait parking as <see cref="IpcQueue{T}.GetAsync"/> does.</summary>
internal sealed class IpcQueueChannelReader<T>(IpcQueue<T> queue, QueueChannel<T> channel) : ChannelReader<T>
{
    private readonly object _gate = new();
    private Task? _completion;

    public override bool TryRead(out T item) => queue.TryGet(out item);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        => QueueAsync.WaitToReadAsync(channel, cancellationToken);

    public override ValueTask<T> ReadAsync(CancellationToken cancellationToken = default)
    {
        var take = QueueAsync.TakeAsync(channel, cancellationToken);
        if (take.IsCompletedSuccessfully)
        {
            var (outcome, item) = take.Result;
            return outcome == TakeOutcome.Taken ? new(item) : ValueTask.FromException<T>(Closed());
        }
        return Await(take);

        async ValueTask<T> Await(ValueTask<(TakeOutcome, T)> take) => Item(await take.ConfigureAwait(false));
    }

    private T Item((TakeOutcome Outcome, T Item) take)
        => take.Outcome == TakeOutcome.Taken ? take.Item : throw Closed();

    /// <summary>The end of the stream as a channel says it; after a shutdown it carries
    /// <see cref="IpcQueueShutDownException"/> as its inner exception.</summary>
    private ChannelClosedException Closed()
        => channel.EndedException() is IpcQueueShutDownException e ? new ChannelClosedException(e) : new ChannelClosedException();

    public override bool CanCount => true;

    public override int Count => queue.Count;

    /// <summary>Completes once the stream has ended and every item was taken (by any process); watched by one park
    /// started on first use, not by polling.</summary>
    public override Task Completion
    {
        get
        {
            lock (_gate) return _completion ??= QueueAsync.WaitEndedAndDrainedAsync(channel, CancellationToken.None);
        }
    }
}
