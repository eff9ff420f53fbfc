using System.Reflection;
using NativeIpc.Process;
using NativeIpc.Serialization;

namespace NativeIpc.Pool;

/// <summary>The loop a pool worker process runs: take a task, note its id in this worker's slot (so the parent knows
/// which task is lost if this process dies), run it, put the outcome, clear the slot. Ends when the task queue is closed and drained,
/// or after <c>maxTasks</c> tasks (0: no limit; the parent then starts a fresh worker).</summary>
internal static class PoolWorker
{
    private sealed record Resolved(MethodInfo Method, object? Instance, ParameterInfo[] Parameters, string DisplayName);

    public static void Run(IpcQueue<byte[]> tasks, IpcQueue<byte[]> results, SharedArray<long> current, int slot, int maxTasks, byte[] initializer)
    {
        var targets = new Dictionary<int, Resolved>();
        if (initializer.Length > 0)
        {
            byte[] outcome = Execute(initializer, 0, targets);
            if (outcome[8] == PoolMessage.Failed)
            {
                // As Python's worker does: report, die, and let the pool start another.
                var e = PoolMessage.ReadFailure(new BinaryReader(new MemoryStream(outcome, 9, outcome.Length - 9)), PoolMessage.Failed);
                Console.Error.WriteLine($"Pool worker {Environment.ProcessId}: initializer failed: {e}");
                Environment.Exit(1);
            }
        }
        for (int done = 0; maxTasks == 0 || done < maxTasks; done++)
        {
            byte[] task;
            try { task = tasks.Get(); }
            catch (IpcQueueClosedException) { return; }
            long taskId = BitConverter.ToInt64(task);
            Volatile.Write(ref current[slot], taskId);
            byte[] outcome = Execute(task, taskId, targets);
            try { results.Put(outcome); }
            catch (IpcQueueClosedException) { return; } // the pool was terminated
            Volatile.Write(ref current[slot], 0);
        }
    }

    private static byte[] Execute(byte[] task, long taskId, Dictionary<int, Resolved> targets)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(task));
            r.ReadInt64();
            int targetId = r.ReadInt32();
            int descLength = r.ReadInt32();
            if (!targets.TryGetValue(targetId, out var target))
            {
                var described = TargetMethod.Read(r);
                var (method, instance) = described.Resolve();
                targets[targetId] = target = new Resolved(method, instance, method.GetParameters(), described.DisplayName);
            }
            else r.BaseStream.Seek(descLength, SeekOrigin.Current);

            int items = r.ReadInt32();
            var ms = new MemoryStream();
            using var w = new BinaryWriter(ms);
            w.Write(taskId); w.Write(PoolMessage.Ok); w.Write(items);
            for (int i = 0; i < items; i++)
            {
                var args = ArgumentCodec.ReadArguments(r, target.Parameters, target.DisplayName);
                object? value = target.Method.Invoke(target.Instance, BindingFlags.DoNotWrapExceptions, null, args, null);
                // A void method (an initializer) sends null.
                ArgumentCodec.Write(w, value, target.Method.ReturnType == typeof(void) ? typeof(object) : target.Method.ReturnType);
            }
            w.Flush();
            return ms.ToArray();
        }
        catch (Exception e)
        {
            return PoolMessage.Failure(taskId, e);
        }
    }
}
