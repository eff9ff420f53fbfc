using System.Buffers.Binary;
using System.Diagnostics;

namespace NativeIpc.Cluster;

/// <summary>A worker rank's loop: wait for the key, then run each chunk rank 0 sends (exactly as a ProcessPool worker
/// runs a task message: <see cref="PoolWorker.Execute"/>, same target rules and codecs) and send its outcome back, until
/// rank 0 says shutdown. Only messages from rank 0 are read; a function that throws fails its chunk only.</summary>
internal static class ClusterWorker
{
    public static void Serve(IMpiTransport mpi)
    {
        var wait = new ClusterWait();
        byte[]? key = null;
        var targets = new Dictionary<int, PoolWorker.Resolved>();
        while (true)
        {
            var m = Receive(mpi, wait);
            switch (m.Tag)
            {
                case ClusterTags.Key:
                    key = m.Payload;
                    break;
                case ClusterTags.Task when key is not null:
                    if (!PoolMessage.TryReadTaskId(m.Payload, out long id)) break;
                    long started = Stopwatch.GetTimestamp();
                    byte[] outcome = PoolWorker.Execute(m.Payload, id, targets, key, disposeArguments: true);
                    long ran = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * ClusterResultLayout.TicksPerSecond);
                    var body = new byte[ClusterResultLayout.PoolResultOffset + outcome.Length];
                    BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(ClusterResultLayout.RunTicksOffset), ran);
                    outcome.CopyTo(body, ClusterResultLayout.PoolResultOffset);
                    mpi.Send(0, ClusterTags.Result, body);
                    break;
                case ClusterTags.Shutdown:
                    mpi.Send(0, ClusterTags.Bye, []);
                    return;
            }
        }
    }

    private static MpiMessage Receive(IMpiTransport mpi, ClusterWait wait)
    {
        while (true)
        {
            if (mpi.TryReceive(0, out var m))
            {
                wait.Progressed();
                return m;
            }
            wait.Idle(untilNotified: false, static () => false);
        }
    }
}
