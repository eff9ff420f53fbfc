namespace NativeIpc.Queues;

/// <summary>The queue as its callers (<see cref="QueueChannel{T}"/>, <see cref="Connection"/>) use it: the
/// <see cref="RecordRing"/> of records and the <see cref="JoinableCounter"/> over the same control block
/// (<see cref="QueueLayout"/>). The pieces: <see cref="ClaimWord"/> (who may claim or take), <see cref="RecordHeader"/>
/// and <see cref="RecordState"/> (one record), waiting through <c>Waiting/</c>.</summary>
internal sealed unsafe class QueueRing
{
    /// <summary>Test hook run after a producer claimed a record and before it publishes it.</summary>
    internal static Action? AfterClaimHook;

    /// <summary>Test hook run after a consumer took a record and before it marks it consumed.</summary>
    internal static Action? AfterTakeHook;

    private static long s_parks, s_wakes;

    private readonly RecordRing _ring;

    /// <summary>Attaches to the ring whose control block is at <paramref name="control"/>, with
    /// <paramref name="available"/> bytes mapped from there on;
    /// <paramref name="stop"/> stops every wait (see <see cref="RecordRing(byte*, long, CancellationToken)"/>).</summary>
    /// <exception cref="IpcSegmentCorruptedException">The control block's capacity does not fit the mapping.</exception>
    public QueueRing(byte* control, long available, CancellationToken stop = default) => _ring = new RecordRing(control, available, stop);

    /// <summary>Writes a fresh control block (creator only, before the segment is marked ready).</summary>
    public static void Initialize(byte* control, int capacity, int maxItems) => RecordRing.Initialize(control, capacity, maxItems);

    public int Capacity => _ring.Capacity;

    /// <summary>True when nothing more will be put: <see cref="Complete"/> was called, or no process holds the queue
    /// any more (<see cref="Hold"/>).</summary>
    public bool IsClosed => _ring.HasEnded(checkLiveness: false);

    /// <summary>Messages put and not yet taken, approximately.</summary>
    public long Count => _ring.Count;

    public bool HasData => _ring.HasData;

    /// <summary>True when a small message would not fit now.</summary>
    public bool IsFull => _ring.IsFull;

    /// <summary>Ends the stream for everyone (a pipe end's last holder closing, or a queue's <c>Complete()</c>).</summary>
    public void Close() => _ring.Complete();

    /// <summary>Ends the stream for everyone.</summary>
    public void Complete() => _ring.Complete();

    /// <summary>True once the queue was shut down (<see cref="Shutdown"/>).</summary>
    public bool IsShutDown => _ring.IsShutDown;

    /// <summary>Shuts the queue down for everyone (Python's <c>Queue.shutdown</c>): it ends the stream as
    /// <see cref="Complete"/> does (the same wake), and puts and end-of-stream gets then throw
    /// <see cref="IpcQueueShutDownException"/>. With <paramref name="immediate"/> it also discards what is queued; for a
    /// <paramref name="joinable"/> queue each discarded item counts as done, so <c>Join</c> can return.</summary>
    public void Shutdown(bool immediate, bool joinable)
    {
        long dropped = _ring.Shutdown(immediate);
        if (joinable && dropped > 0) _ring.Joinable.MarkDone(dropped);
    }

    /// <summary>The exception for the end of the stream: <see cref="IpcQueueShutDownException"/> after
    /// <see cref="Shutdown"/>, else <see cref="IpcQueueClosedException"/>.</summary>
    public IpcException EndedException() => _ring.EndedException();

    /// <summary>Counts <paramref name="owner"/> as a process that may put (a queue's creator, attacher, or a child it
    /// was sent to).</summary>
    public void Hold(int owner) => _ring.Holders.Hold(owner);

    /// <summary>Drops one hold of <paramref name="owner"/>; wakes consumers when it was the last one.</summary>
    public void Release(int owner)
    {
        if (_ring.Holders.Release(owner)) _ring.NotifyEnded();
    }

    /// <summary>Enqueues one message. False when <paramref name="deadline"/> passed while full.</summary>
    /// <exception cref="IpcQueueClosedException">The queue is closed.</exception>
    /// <exception cref="IpcSegmentCorruptedException">The shared memory holds impossible values.</exception>
    public bool Put(ReadOnlySpan<byte> message, Deadline deadline) => _ring.Put(message, deadline);

    /// <summary>Takes one whole message and hands it to <paramref name="reader"/>.</summary>
    /// <exception cref="IpcSegmentCorruptedException">The shared memory holds impossible values.</exception>
    public TakeOutcome Take<TReader>(ref TReader reader, Deadline deadline) where TReader : IRecordReader, allows ref struct
        => _ring.Take(ref reader, deadline);

    /// <summary>Tasks put and not yet marked done (joinable queues).</summary>
    public int Unfinished => (int)Math.Min(int.MaxValue, _ring.Joinable.Unfinished);

    /// <summary>Marks one task done; false if there was none outstanding.</summary>
    public bool TaskDone() => _ring.Joinable.TaskDone();

    /// <summary>Waits until every task put has been marked done.</summary>
    public bool Join(Deadline deadline) => _ring.Joinable.Join(deadline, _ring.Stop);

    // ---------------------------------------------------------------- async waiters (QueueAsync)

    /// <summary>True when nothing more will be put; with <paramref name="checkLiveness"/> a holder that died counts
    /// as gone (costs a liveness test per holder).</summary>
    public bool HasEnded(bool checkLiveness) => _ring.HasEnded(checkLiveness);

    /// <summary>The event count consumers sleep on (publishes and the end bump it).</summary>
    public EventCount DataEvent => _ring.DataEvent;

    /// <summary>The event count producers sleep on (freed space and <see cref="Complete"/> bump it).</summary>
    public EventCount SpaceEvent => _ring.SpaceEvent;

    /// <summary>The producers' claim word.</summary>
    public ClaimWord ProducerWord => _ring.ProducerWord;

    /// <summary>The consumers' take word.</summary>
    public ClaimWord ConsumerWord => _ring.ConsumerWord;

    /// <summary>Largest message put as one record; longer ones are chunked.</summary>
    public int MaxRecordPayload => _ring.MaxRecordPayload;

    /// <summary>True when a take would find a published record at head without waiting for a producer.</summary>
    public bool IsReadableAtHead => _ring.IsReadableAtHead;

    /// <summary>True when a message of <paramref name="length"/> bytes (at most <see cref="MaxRecordPayload"/>) fits now.</summary>
    public bool HasRoomFor(int length) => _ring.HasRoomFor(length);

    /// <summary>True when holders are tracked and none is alive by <paramref name="look"/> (a liveness watch).</summary>
    public bool HoldersNoneAlive(LivenessLook look) => _ring.Holders.NoneAlive(look);

    /// <summary>The producer of a record at head still being written, else 0 (reads only).</summary>
    public int HeadClaimedBy => _ring.HeadClaimedBy;

    /// <summary>The consumer of a Taken record at the released position, else 0 (reads only).</summary>
    public int ReleasedTakenBy => _ring.ReleasedTakenBy;

    // ---------------------------------------------------------------- timeout arguments

    /// <summary>Enqueues one message within <paramref name="limit"/>. A bounded limit first tries without reading the
    /// clock (only a message that fits one record: a chunked one must not be begun by an attempt that cannot wait).</summary>
    /// <exception cref="IpcQueueClosedException">The queue is closed.</exception>
    public bool Put(ReadOnlySpan<byte> message, WaitLimit limit)
        => (limit.IsBounded && message.Length <= _ring.MaxRecordPayload && _ring.Put(message, Waiting.Deadline.Expired))
           || _ring.Put(message, limit.Start());

    /// <summary>Takes one whole message within <paramref name="limit"/>; a bounded limit first tries without reading
    /// the clock.</summary>
    public TakeOutcome Take<TReader>(ref TReader reader, WaitLimit limit) where TReader : IRecordReader, allows ref struct
    {
        if (limit.IsBounded)
        {
            var first = _ring.Take(ref reader, Waiting.Deadline.Expired);
            if (first != TakeOutcome.TimedOut) return first;
        }
        return _ring.Take(ref reader, limit.Start());
    }

    // ---------------------------------------------------------------- test counters

    /// <summary>Parks (sleeps on a shared word) by queue code in this process, for tests.</summary>
    internal static long Parks => Volatile.Read(ref s_parks);

    /// <summary>Wake calls made by queue code in this process, for tests.</summary>
    internal static long Wakes => Volatile.Read(ref s_wakes);

    internal static void CountPark() => Interlocked.Increment(ref s_parks);

    internal static void CountWake() => Interlocked.Increment(ref s_wakes);
}
