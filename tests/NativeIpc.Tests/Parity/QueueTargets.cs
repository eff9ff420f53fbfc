namespace NativeIpc.Tests.Parity;

/// <summary>Child targets of the ported _TestQueue / _TestSimpleQueue tests.</summary>
public static class QueueTargets
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>_test_put: takes six items once allowed to.</summary>
    public static void Put(IpcQueue<int> queue, IpcEvent childCanStart, IpcEvent parentCanContinue)
    {
        childCanStart.Wait(Wait);
        for (int i = 0; i < 6; i++) queue.Get(Wait);
        parentCanContinue.Set();
    }

    /// <summary>_test_get: puts 2..5 once allowed to.</summary>
    public static void Get(IpcQueue<int> queue, IpcEvent childCanStart, IpcEvent parentCanContinue)
    {
        childCanStart.Wait(Wait);
        queue.Put(2);
        queue.Put(3);
        queue.Put(4);
        queue.Put(5);
        parentCanContinue.Set();
    }

    /// <summary>_test_fork: puts 10..19.</summary>
    public static void Fork(IpcQueue<int> queue)
    {
        for (int i = 10; i < 20; i++) queue.Put(i);
    }

    /// <summary>_test_task_done: marks each item done after DELTA, until the sentinel (-1 here, None in Python).</summary>
    public static void TaskDone(IpcJoinableQueue<int> q)
    {
        while (q.Get(Wait) != -1)
        {
            Thread.Sleep(100);
            q.TaskDone();
        }
    }

    /// <summary>_join_worker.</summary>
    public static void JoinWorker(IpcJoinableQueue<string> q) => q.Join(Wait);

    /// <summary>_test_empty (SimpleQueue): puts empty() twice once allowed to.</summary>
    public static void SimpleQueueEmpty(IpcSimpleQueue<bool> queue, IpcEvent childCanStart, IpcEvent parentCanContinue)
    {
        childCanStart.Wait(Wait);
        try
        {
            queue.Put(queue.IsEmpty);
            queue.Put(queue.IsEmpty);
        }
        finally
        {
            parentCanContinue.Set();
        }
    }

    /// <summary>Puts one item (SimpleQueue).</summary>
    public static void SimpleQueuePut(IpcSimpleQueue<bool> queue, bool item) => queue.Put(item);
}

/// <summary>A value whose serialization fails when asked to (Python's NotSerializable with a raising __reduce__).</summary>
public sealed class Probe
{
    public bool Explode { get; set; }

    public bool Value
    {
        get => Explode ? throw new InvalidOperationException("cannot serialize") : true;
        set { }
    }
}
