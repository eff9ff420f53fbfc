namespace NativeIpc.Tests.Queues;

/// <summary>Targets the async queue tests run in child processes. A failed check throws, so the child exits with 1.</summary>
public static class QueueAsyncChildTargets
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Puts 0..count-1, then closes (this process puts no more).</summary>
    public static void PutRange(IpcQueue<int> q, int count)
    {
        for (int i = 0; i < count; i++) q.Put(i, Wait);
        q.Close();
    }

    /// <summary>Puts <paramref name="value"/> after <paramref name="delayMs"/> ms.</summary>
    public static void PutAfter(IpcQueue<int> q, int value, int delayMs)
    {
        Thread.Sleep(delayMs);
        q.Put(value, Wait);
    }

    /// <summary>Waits for <paramref name="start"/>, then takes <paramref name="count"/> items.</summary>
    public static void TakeAfterStart(IpcQueue<int> q, IpcEvent start, int count)
    {
        q.Close(); // only consumes
        if (!start.Wait(Wait)) throw new TimeoutException("no start");
        for (int i = 0; i < count; i++) q.Get(Wait);
    }

    /// <summary>Sums every item until the stream ends and reports the sum and count.</summary>
    public static void SumUntilEnd(IpcQueue<int> q, IpcQueue<long> results)
    {
        q.Close();
        long sum = 0, n = 0;
        foreach (var i in q.GetConsumingEnumerable()) { sum += i; n++; }
        results.Put(sum, Wait);
        results.Put(n, Wait);
    }

    /// <summary>Answers one request with the request and a "!".</summary>
    public static void Echo(IpcSimpleQueue<string> requests, IpcSimpleQueue<string> replies)
        => replies.Put(requests.Get(Wait) + "!", Wait);
}
