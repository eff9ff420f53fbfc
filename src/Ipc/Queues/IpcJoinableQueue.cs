namespace NativeIpc;

/// <summary>An <see cref="IpcQueue{T}"/> that also counts unfinished tasks in shared memory: every put adds one,
/// <see cref="TaskDone"/> removes one, and <see cref="Join"/> waits until none are left.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>Python: multiprocessing.JoinableQueue. A producer killed in the middle of a put leaves the count exact:
/// its item is counted when its record is committed and taken out again by the consumer that skips the torn record.
/// As in Python, an item taken by a process that dies before calling <see cref="TaskDone"/> is never done.</remarks>
public sealed class IpcJoinableQueue<T> : IpcQueue<T>
{
    static IpcJoinableQueue() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    /// <summary>Creates a joinable queue; see <see cref="IpcQueue{T}(int, int?)"/>.</summary>
    /// <remarks>Python: multiprocessing.JoinableQueue(maxsize)</remarks>
    public IpcJoinableQueue(int capacityBytes = QueueChannel<T>.DefaultCapacity, int? maxItems = null)
        : base(QueueChannel<T>.Create(SegmentKind.JoinableQueue, capacityBytes, maxItems, "IpcJoinableQueue"))
    {
    }

    private IpcJoinableQueue(QueueChannel<T> channel, bool preRegistered = false) : base(channel, preRegistered) { }

    /// <summary>Attaches to a joinable queue created elsewhere, by its name.</summary>
    /// <exception cref="IpcSegmentMismatchException">The name belongs to something else, or to a queue of another item type.</exception>
    public static new IpcJoinableQueue<T> Attach(string name) => new(QueueChannel<T>.Attach(name, SegmentKind.JoinableQueue, "IpcJoinableQueue"));

    // The parent counted this process as a holder when it spawned us (OnSentToChild).
    internal static new IpcJoinableQueue<T> ReadTransfer(BinaryReader reader)
        => new(QueueChannel<T>.Attach(reader.ReadString(), SegmentKind.JoinableQueue, "IpcJoinableQueue"), preRegistered: true);

    /// <summary>Items put whose <see cref="TaskDone"/> has not been called yet.</summary>
    public int UnfinishedTasks => Channel.Read(static r => r.Unfinished);

    /// <summary>Says one item taken from the queue has been processed.</summary>
    /// <exception cref="InvalidOperationException">Called more times than items were put.</exception>
    /// <remarks>Python: JoinableQueue.task_done()</remarks>
    public void TaskDone()
    {
        if (!Channel.Read(static r => r.TaskDone())) throw new InvalidOperationException("TaskDone() called more times than there were items put.");
    }

    /// <summary>Waits until every item put has been marked done with <see cref="TaskDone"/>. Items discarded by
    /// <see cref="IpcQueue{T}.Shutdown"/><c>(immediate: true)</c> count as done, so a blocked join returns then, unless
    /// items taken before the shutdown are still not done (as Python's <c>join()</c> after <c>shutdown(immediate=True)</c>).</summary>
    /// <returns>False when the timeout ran out first.</returns>
    /// <exception cref="ObjectDisposedException">The queue was disposed (also by another thread while this call waited).</exception>
    /// <remarks>Python: JoinableQueue.join()</remarks>
    public bool Join(TimeSpan? timeout = null) => Channel.Join(Deadline.From(timeout));
}
