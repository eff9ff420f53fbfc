using System.Reflection;
using NativeIpc.Process;
using NativeIpc.Serialization;

namespace NativeIpc.Pool;

/// <summary>The byte layout of pool messages, in one place. A task message carries one chunk of work:
/// <code>
/// task:   i64 taskId | i32 targetId | i32 descLength | TargetMethod (descLength bytes) | i32 items | (i32 argc | argument*)*
/// result: i64 taskId | u8 Ok     | i32 items | value*                       (values encoded by the method's return type)
///         i64 taskId | u8 Failed | str exceptionType | str message | str stackTrace
///         i64 taskId | u8 Lost   | i32 pid | i32 exitCode                  (put by the parent when a worker died)
/// </code>
/// Targets and arguments use <see cref="TargetMethod"/> and <see cref="ArgumentCodec"/>, exactly as a process launch does;
/// the target id lets a worker skip the description of a target it has resolved before.</summary>
internal static class PoolMessage
{
    public const byte Ok = 0;
    public const byte Failed = 1;
    public const byte Lost = 2;

    /// <summary>A function the parent has described once: its id, description bytes and parameters.</summary>
    public sealed record Target(int Id, TargetMethod Method, byte[] Description, ParameterInfo[] Parameters, string DisplayName);

    private static int s_nextTargetId;

    public static Target Describe(Delegate function)
    {
        var described = TargetMethod.Describe(function, out var parameters);
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms)) described.Write(w);
        return new Target(Interlocked.Increment(ref s_nextTargetId), described, ms.ToArray(), parameters, described.DisplayName);
    }

    /// <summary>Starts a task message; the caller adds <c>items</c> argument lists with <see cref="ArgumentCodec.WriteArguments"/>.</summary>
    public static BinaryWriter BeginTask(MemoryStream ms, long taskId, Target target, int items)
    {
        var w = new BinaryWriter(ms);
        w.Write(taskId);
        w.Write(target.Id);
        w.Write(target.Description.Length);
        w.Write(target.Description);
        w.Write(items);
        return w;
    }

    /// <summary>A whole task message for one call of <paramref name="target"/> (used for a worker initializer, task id 0).</summary>
    public static byte[] Call(long taskId, Target target, object?[] args)
    {
        var ms = new MemoryStream();
        using (var w = BeginTask(ms, taskId, target, 1))
            ArgumentCodec.WriteArguments(w, args, target.Parameters, target.DisplayName);
        return ms.ToArray();
    }

    public static byte[] Failure(long taskId, Exception e)
    {
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(taskId); w.Write(Failed);
            w.Write(e.GetType().FullName ?? e.GetType().Name); w.Write(e.Message); w.Write(e.StackTrace ?? "");
        }
        return ms.ToArray();
    }

    public static byte[] WorkerLost(long taskId, int pid, int exitCode)
    {
        var bytes = new byte[8 + 1 + 4 + 4];
        BitConverter.TryWriteBytes(bytes, taskId);
        bytes[8] = Lost;
        BitConverter.TryWriteBytes(bytes.AsSpan(9), pid);
        BitConverter.TryWriteBytes(bytes.AsSpan(13), exitCode);
        return bytes;
    }

    /// <summary>Reads the failure part of a result (after its status byte).</summary>
    public static Exception ReadFailure(BinaryReader r, byte status)
        => status == Lost
            ? new IpcWorkerLostException(r.ReadInt32(), r.ReadInt32())
            : new IpcRemoteException(r.ReadString(), r.ReadString(), r.ReadString());
}
