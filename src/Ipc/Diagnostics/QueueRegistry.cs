using System.Diagnostics.Metrics;

namespace NativeIpc.Diagnostics;

/// <summary>The queues (and pipes, and pool queues) this process holds, for the observable queue instruments. Entries are
/// weak and read under a reference on the mapping, so a disposed or collected queue drops out and is never read.</summary>
internal static unsafe class QueueRegistry
{
    private static readonly object s_gate = new();
    private static readonly List<(WeakReference<SharedSegment> Segment, string Name, string Kind)> s_queues = [];

    /// <summary>Called once when a queue channel is created or attached.</summary>
    public static void Track(SharedSegment segment, string kind)
    {
        lock (s_gate) s_queues.Add((new WeakReference<SharedSegment>(segment), segment.Name, kind));
    }

    public static IEnumerable<Measurement<long>> Observe(QueueField field)
    {
        var result = new List<Measurement<long>>();
        lock (s_gate)
        {
            s_queues.RemoveAll(q =>
            {
                if (!q.Segment.TryGetTarget(out var segment) || !segment.TryEnter()) return true;
                try
                {
                    byte* ctl = segment.Payload;
                    long enqueued = Volatile.Read(ref *(long*)(ctl + QueueLayout.EnqueuedOffset));
                    long dequeued = Volatile.Read(ref *(long*)(ctl + QueueLayout.DequeuedOffset));
                    long value = field switch
                    {
                        QueueField.Depth => Math.Max(0, enqueued - dequeued),
                        QueueField.Puts => enqueued,
                        QueueField.Gets => dequeued,
                        _ => Volatile.Read(ref *(long*)(ctl + QueueLayout.TailOffset)),
                    };
                    result.Add(new Measurement<long>(value,
                        new KeyValuePair<string, object?>("nativeipc.queue.name", q.Name),
                        new KeyValuePair<string, object?>("nativeipc.queue.kind", q.Kind)));
                    return false;
                }
                finally { segment.Exit(); }
            });
        }
        return result;
    }
}
