using Microsoft.Extensions.Logging;
using System.Reflection;
using System.Runtime.CompilerServices;
using NativeIpc.Process;
using NativeIpc.Serialization;

namespace NativeIpc.Pool;

/// <summary>The loop a pool worker process runs: mark its slot "taking", take a task (its id reaches the slot while the
/// message is still in the ring, before any copy), run it, put the outcome, mark the slot idle. Ends when the task
/// queue is closed and drained, or after <c>maxTasks</c> tasks (0: no limit; the parent then starts a fresh worker).
/// A task the parent cancelled (its id in the cancel table, <see cref="CancelTableLayout"/>) is skipped, not run.
/// Nothing read from the queue is trusted: a malformed message fails its task or is dropped, and only targets whose
/// tag proves the parent described them run.</summary>
internal static class PoolWorker
{
    internal sealed record Resolved(MethodInfo Method, object? Instance, ParameterInfo[] Parameters, string DisplayName);

    /// <param name="tasksName">The task queue (a <see cref="QueueChannel{T}"/> of byte[]).</param>
    /// <param name="resultsName">The result queue.</param>
    /// <param name="current">One <see cref="PoolSlot"/> value per worker.</param>
    /// <param name="cancelled">The cancel table (<see cref="CancelTableLayout"/>).</param>
    /// <param name="slot">This worker's index in <paramref name="current"/>.</param>
    /// <param name="limits">Two values: task messages before this worker exits (0: no limit), and spin steps after a
    /// task before the worker sleeps on the task queue (see <see cref="TakeTask"/>).</param>
    /// <param name="initializer">A task message run first; empty: none.</param>
    /// <param name="key">The pool's key, which authenticates task targets (arrives on the private launch channel).</param>
    public static void Run(string tasksName, string resultsName, SharedArray<long> current, SharedArray<long> cancelled, int slot, int[] limits, byte[] initializer, byte[] key)
    {
        int maxTasks = limits[0], spin = limits[1];
        using var tasks = QueueChannel<byte[]>.Attach(tasksName, SegmentKind.Queue, "pool task queue");
        using var results = QueueChannel<byte[]>.Attach(resultsName, SegmentKind.Queue, "pool result queue");
        var targets = new Dictionary<int, Resolved>();
        if (initializer.Length > 0)
        {
            // Initializer arguments stay attached: an initializer keeps them (in statics) for the tasks, as in Python.
            byte[] outcome = Execute(initializer, PoolMessageLayout.InitializerTaskId, targets, key, disposeArguments: false);
            if (PoolMessage.TryReadResult(outcome, out _, out byte status, out var body) && status != PoolMessageLayout.Ok)
            {
                // As Python's worker does: report, die, and let the pool start another.
                // Logged where the worker's own LoggerFactory says (none: nowhere); the parent logs the failed start.
                IpcLog.Pool.LogError("Pool worker {Pid}: initializer failed: {Failure}", Environment.ProcessId, PoolMessage.ReadFailure(body, status));
                Environment.Exit(1);
            }
        }
        long livenessDue = 0;
        var adaptive = new AdaptiveSpin();
        for (int done = 0; maxTasks == 0 || done < maxTasks;)
        {
            Volatile.Write(ref current[slot], PoolSlot.Taking);
            var reader = new TaskReader(current, cancelled, slot);
            if (TakeTask(tasks, ref reader, adaptive, spin, ref livenessDue) != TakeOutcome.Taken)
            {
                Volatile.Write(ref current[slot], PoolSlot.Idle);
                return; // closed and drained
            }
            if (reader.Skipped)
            {
                // Reported, so a task that a peer (not the parent) marked cancelled fails instead of hanging its caller.
                try { results.Put(PoolMessage.Skipped(reader.TaskId), WaitLimit.Infinite); }
                catch (IpcQueueClosedException) { return; }
                Volatile.Write(ref current[slot], PoolSlot.Idle);
                continue;
            }
            if (reader.Message is not { } task)
            {
                Volatile.Write(ref current[slot], PoolSlot.Idle); // names no task: nobody waits for it
                continue;
            }
            byte[] outcome = Execute(task, reader.TaskId, targets, key, disposeArguments: true);
            try { results.Put(outcome, WaitLimit.Infinite); }
            catch (IpcQueueClosedException) { return; } // the pool was terminated
            Volatile.Write(ref current[slot], PoolSlot.Idle);
            done++;
        }
    }

    /// <summary>Takes the next task. A worker just done with a task spins for the next one (plain reads; up to
    /// <paramref name="spin"/> steps, fewer while spinning does not pay: <see cref="AdaptiveSpin"/>), then sleeps. One
    /// woken with nothing to take (a peer took it: every publish wakes every sleeping worker) sleeps again at once,
    /// leaving the CPUs to the worker that got it and to the pool's owner. Closed once the queue has ended and is
    /// drained (the owner dying ends it: looked at once per liveness slice).</summary>
    private static TakeOutcome TakeTask(QueueChannel<byte[]> tasks, ref TaskReader reader, AdaptiveSpin adaptive, int spin, ref long livenessDue)
    {
        var ring = tasks.Ring;
        var phase = adaptive.Start(spin);
        bool slept = false;
        while (true)
        {
            var outcome = tasks.Take(ref reader, WaitLimit.Zero);
            if (outcome != TakeOutcome.TimedOut)
            {
                if (slept || phase.Count > 0) adaptive.Record(slept);
                return outcome;
            }
            while (!HasTaskOrEnded(ring) && phase.Spin()) { }
            if (HasTaskOrEnded(ring)) continue;
            slept = true;
            long now = Environment.TickCount64;
            if (now >= livenessDue)
            {
                livenessDue = now + WaitTuning.LivenessSliceMs;
                if (ring.HasEnded(checkLiveness: true))
                {
                    if (!ring.HasData) return TakeOutcome.Closed;
                    continue; // take what is left
                }
            }
            ring.DataEvent.Wait(static r => HasTaskOrEnded(r), ring, Deadline.Infinite, WaitTuning.LivenessSliceMs, CancellationToken.None);
            phase = new SpinPhase(0);
        }
    }

    private static bool HasTaskOrEnded(QueueRing ring) => ring.IsReadableAtHead || ring.HasEnded(checkLiveness: false);

    /// <summary>Records the task id in the worker's slot straight from the ring, then copies the message (unless the
    /// task was cancelled).</summary>
    private struct TaskReader(SharedArray<long> current, SharedArray<long> cancelled, int slot) : IRecordReader
    {
        public byte[]? Message;
        public long TaskId;
        public bool Skipped;

        public void Read(ReadOnlySpan<byte> message)
        {
            // Ids the parent hands out are positive; anything else is not a task of this pool.
            if (!PoolMessage.TryReadTaskId(message, out long id) || id <= 0) return;
            Volatile.Write(ref current[slot], id);
            TaskId = id;
            if (cancelled.Length == CancelTableLayout.Entries
                && Volatile.Read(ref cancelled[CancelTableLayout.IndexOf(id)]) == id)
            {
                Skipped = true;
                return;
            }
            Message = message.ToArray();
        }
    }

    internal static byte[] Execute(byte[] message, long taskId, Dictionary<int, Resolved> targets, byte[] key, bool disposeArguments)
    {
        try
        {
            var task = PoolMessage.ReadTask(message);
            if (!targets.TryGetValue(task.TargetId, out var target))
            {
                if (!PoolMessage.IsAuthentic(key, task))
                    throw new IpcSerializationException("The task names a target this pool did not describe; it was refused.");
                targets[task.TargetId] = target = Resolve(task.Description);
            }
            if (PoolMessage.TryReadRawBlock(task.Arguments, task.Items, out var block, out int itemSize))
                return RawChunkRunner.For(target, itemSize).Run(taskId, block, task.Items);
            var ms = new MemoryStream();
            using var w = PoolMessage.BeginResult(ms, taskId, task.Items);
            // A void method (an initializer) sends null.
            var returnType = target.Method.ReturnType == typeof(void) ? typeof(object) : target.Method.ReturnType;
            for (int i = 0; i < task.Items; i++)
            {
                var args = ArgumentCodec.ReadArguments(task.Arguments, target.Parameters, target.DisplayName);
                try
                {
                    object? value = target.Method.Invoke(target.Instance, BindingFlags.DoNotWrapExceptions, null, args, null);
                    ArgumentCodec.Write(w, value, returnType);
                }
                finally
                {
                    // One mapping per NativeIpc argument per item would exhaust the process's mappings.
                    if (disposeArguments) DisposeTransferred(args);
                }
            }
            w.Flush();
            return ms.ToArray();
        }
        catch (Exception e)
        {
            return PoolMessage.Failure(taskId, e);
        }
    }

    private static void DisposeTransferred(object?[] args)
    {
        foreach (var a in args)
            if (a is ITransferable and IDisposable d) d.Dispose();
    }

    /// <summary>Finds an authenticated target and checks it against the rules the parent applied
    /// (<see cref="TargetMethod.Describe"/>): a static method, or a capture-free lambda on its compiler singleton.</summary>
    private static Resolved Resolve(ReadOnlyMemory<byte> description)
    {
        using var r = new BinaryReader(new MemoryStream(description.ToArray(), writable: false));
        var described = TargetMethod.Read(r);
        var (method, instance) = described.Resolve();
        if (method.ContainsGenericParameters || !(method.IsStatic || instance is not null)) // Resolve: an instance only for a capture-free lambda
            throw new IpcSerializationException($"Target '{described.DisplayName}' is not a static method or capture-free lambda; it was refused.");
        return new Resolved(method, instance, method.GetParameters(), described.DisplayName);
    }
}
