namespace NativeIpc.Queues;

/// <summary>One queue object's hold on its queue (<see cref="QueueHolders"/>): taken when the object is created or
/// attached, dropped by <c>Close()</c> or <c>Dispose()</c>; after that this object puts no more.</summary>
internal sealed class QueueHold
{
    private readonly QueueRing _ring;
    private int _held = 1;

    /// <param name="ring">The queue.</param>
    /// <param name="preRegistered">True in a child the queue was sent to: the parent counted it at spawn
    /// (<see cref="SendToChild"/>), keyed by its pid, which is its owner id.</param>
    public QueueHold(QueueRing ring, bool preRegistered)
    {
        _ring = ring;
        if (!preRegistered) ring.Hold(ProcessLiveness.Self);
    }

    /// <summary>True after <see cref="Release"/>.</summary>
    public bool IsReleased => Volatile.Read(ref _held) == 0;

    /// <exception cref="IpcQueueClosedException">This object's hold was dropped.</exception>
    public void ThrowIfReleased()
    {
        if (IsReleased) throw new IpcQueueClosedException("This process closed the queue (Close()): it puts no more on it.");
    }

    /// <summary>Drops the hold (once); consumers see the end of the stream when it was the last.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _held, 0) == 1) _ring.Release(ProcessLiveness.Self);
    }

    /// <summary>Counts a child the queue is being sent to as a holder from its spawn on, so the stream does not look
    /// ended while the child starts.</summary>
    public void SendToChild(int childPid) => _ring.Hold(childPid);
}
