using System.Threading.Channels;

namespace NativeIpc.Queues;

/// <summary><see cref="IpcQueue{T}.AsChannelWriter"/>: the queue's producer side as a <see cref="ChannelWriter{T}"/>,
/// every wait parking as <see cref="IpcQueue{T}.PutAsync"/> does. Completing it completes the queue
/// (<see cref="IpcQueue{T}.Complete"/>): the stream ends for every process.</summary>
internal sealed class IpcQueueChannelWriter<T>(IpcQueue<T> queue, QueueChannel<T> channel) : ChannelWriter<T>
{
    public override bool TryWrite(T item)
    {
        try { return queue.TryPut(item); }
        catch (IpcException e) when (e is IpcQueueClosedException or IpcQueueShutDownException) { return false; }
    }

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<bool>(cancellationToken);
        return QueueAsync.WaitToWriteAsync(channel, cancellationToken);
    }

    public override ValueTask WriteAsync(T item, CancellationToken cancellationToken = default)
    {
        ValueTask put;
        try { put = queue.PutAsync(item, cancellationToken); }
        catch (IpcException e) when (e is IpcQueueClosedException or IpcQueueShutDownException) { return ValueTask.FromException(new ChannelClosedException(e)); }
        if (put.IsCompletedSuccessfully) return put;
        return Await(put);

        static async ValueTask Await(ValueTask put)
        {
            try { await put.ConfigureAwait(false); }
            catch (IpcException e) when (e is IpcQueueClosedException or IpcQueueShutDownException) { throw new ChannelClosedException(e); }
        }
    }

    /// <summary>Completes the queue for everyone; false when its stream had already ended. The exception, if any, is
    /// not carried to readers (they see a normal end).</summary>
    public override bool TryComplete(Exception? error = null)
    {
        if (channel.Ring.IsClosed) return false;
        queue.Complete();
        return true;
    }
}
