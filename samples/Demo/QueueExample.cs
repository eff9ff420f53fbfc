namespace NativeIpc.Demo;

/// <summary>Seed section "Queue": a producer puts 0..4, a consumer prints what it gets until the end signal.
/// Python puts a None sentinel; here the parent completes the queue, which ends the consumer's loop the same way.</summary>
public static class QueueExample
{
    public static void Producer(IpcQueue<int> q)
    {
        for (int i = 0; i < 5; i++)
        {
            q.Put(i);
            Console.WriteLine($"Produced {i}");
        }
    }

    public static void Consumer(IpcQueue<int> q)
    {
        foreach (int item in q.GetConsumingEnumerable()) // ends when the queue is closed and drained
            Console.WriteLine($"Consumed {item}");
    }

    public static void Run()
    {
        using var q = Multiprocessing.Queue<int>();
        var procs = new[]
        {
            IpcProcess.Create(Producer, q),
            IpcProcess.Create(Consumer, q),
        };
        foreach (var p in procs)
            p.Start();
        procs[0].Join(); // Wait for producer to finish
        q.Complete();    // Send termination signal (Close() would only say "this process puts no more")
        procs[1].Join();
    }
}
