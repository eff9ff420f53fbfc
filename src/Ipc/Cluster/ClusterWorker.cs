using System.Buffers.Binary;
using System.Diagnostics;

namespace NativeIpc.Cluster;

/// <summary>A worker rank's loop: wait for the key, then run each chunk rank 0 sends (exactly as a ProcessPool worker
/// runs a task message: <see cref="PoolWorker.Execute"/>, same target rules and codecs) and send its outcome back, until
/// rank 0 says shutdown. Only messages from rank 0 are read; a function that throws fails its chunk only. Outcomes are
/// sent without waiting for rank 0 to take them (a large one waits for its receiver in MPI), so the chunks queued
/// behind run meanwhile.</summary>
internal static class ClusterWorker
{
    public static unsafe void Serve(IMpiTransport mpi)
    {
        int* rank0 = mpi.Doorbell(0);
        var wait = new ClusterWait(mpi.Doorbell(mpi.Rank), peersRing: rank0 != null);
        // Where rank 0 rings this rank's doorbell, the sleep's condition polls MPI once more after counting as a sleeper.
        Func<bool> ready = rank0 != null ? () => mpi.HasMessage(0) : static () => false;
        byte[]? key = null;
        var targets = new Dictionary<int, PoolWorker.Resolved>();
        var sends = new List<IMpiSend>();
        while (true)
        {
            var m = Receive(mpi, wait, ready, sends);
            switch (m.Tag)
            {
                case ClusterTags.Key:
                    key = m.Payload;
                    break;
                case ClusterTags.Task when key is not null:
                    if (!PoolMessage.TryReadTaskId(m.Payload, out long id)) break;
                    ClusterTrace.Mark(ClusterTrace.Event.TaskReceived, m.Payload.Length, id);
                    long started = Stopwatch.GetTimestamp();
                    byte[] outcome = PoolWorker.Execute(m.Payload, id, targets, key, disposeArguments: true);
                    long ran = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * ClusterResultLayout.TicksPerSecond);
                    ClusterTrace.Mark(ClusterTrace.Event.TaskRan, 0, id);
                    var body = new byte[ClusterResultLayout.PoolResultOffset + outcome.Length];
                    BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(ClusterResultLayout.RunTicksOffset), ran);
                    outcome.CopyTo(body, ClusterResultLayout.PoolResultOffset);
                    sends.Add(mpi.Post(0, ClusterTags.Result, body));
                    ClusterWait.Ring(rank0);
                    ClusterTrace.Mark(ClusterTrace.Event.ResultPosted, body.Length, id);
                    break;
                case ClusterTags.Shutdown:
                    // Every result is delivered before the goodbye (MPI keeps one sender's messages in order, and
                    // MPI_Finalize wants no send in flight).
                    sends.Add(mpi.Post(0, ClusterTags.Bye, []));
                    ClusterWait.Ring(rank0);
                    while (CompleteSends(sends)) wait.Idle(untilNotified: false, static () => false);
                    return;
            }
        }
    }

    /// <summary>Releases the sends that completed; true while some are still in flight.</summary>
    private static bool CompleteSends(List<IMpiSend> sends)
    {
        if (sends.Count > 0) sends.RemoveAll(static s => s.Test());
        return sends.Count > 0;
    }

    private static MpiMessage Receive(IMpiTransport mpi, ClusterWait wait, Func<bool> ready, List<IMpiSend> sends)
    {
        while (true)
        {
            CompleteSends(sends);
            if (mpi.TryReceive(0, out var m))
            {
                wait.Progressed();
                return m;
            }
            wait.Idle(untilNotified: false, ready);
        }
    }
}
