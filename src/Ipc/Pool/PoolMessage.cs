using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NativeIpc.Process;
using NativeIpc.Serialization;
using L = NativeIpc.Pool.PoolMessageLayout;

namespace NativeIpc.Pool;

/// <summary>Writes and reads the pool's messages (bytes in <see cref="PoolMessageLayout"/>). Readers bounds-check
/// everything: the queues are shared memory any process of the user can write, so a malformed message is an
/// <see cref="IpcSerializationException"/> (or <c>false</c>), never a read past its end.
/// Targets and arguments use <see cref="TargetMethod"/> and <see cref="ArgumentCodec"/>, exactly as a process launch does;
/// the target id lets a worker skip the description of a target it has resolved before.</summary>
internal static class PoolMessage
{
    /// <summary>A function the parent has described once: its id, description bytes and parameters.</summary>
    public sealed record Target(int Id, TargetMethod Method, byte[] Description, ParameterInfo[] Parameters, string DisplayName);

    /// <summary>A task message's header, checked against the message length; <see cref="Arguments"/> is positioned at the first item.</summary>
    public sealed record TaskHeader(long TaskId, int TargetId, ReadOnlyMemory<byte> Description, ReadOnlyMemory<byte> Tag, int Items, BinaryReader Arguments);

    private static int s_nextTargetId;

    public static Target Describe(Delegate function)
    {
        var described = TargetMethod.Describe(function, out var parameters);
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms)) described.Write(w);
        return new Target(Interlocked.Increment(ref s_nextTargetId), described, ms.ToArray(), parameters, described.DisplayName);
    }

    /// <summary>A fresh pool key: sent to workers on their private launch channel, never through shared memory.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>The tag that lets a worker holding <paramref name="key"/> run <paramref name="target"/>.</summary>
    public static byte[] TargetTag(byte[] key, Target target) => ComputeTag(key, target.Id, target.Description);

    private static byte[] ComputeTag(byte[] key, int targetId, ReadOnlySpan<byte> description)
    {
        var data = new byte[sizeof(int) + description.Length];
        BinaryPrimitives.WriteInt32LittleEndian(data, targetId);
        description.CopyTo(data.AsSpan(sizeof(int)));
        return HMACSHA256.HashData(key, data);
    }

    /// <summary>True when <paramref name="task"/>'s target was described by the parent holding <paramref name="key"/>.</summary>
    public static bool IsAuthentic(byte[] key, TaskHeader task)
        => CryptographicOperations.FixedTimeEquals(ComputeTag(key, task.TargetId, task.Description.Span), task.Tag.Span);

    /// <summary>Starts a task message; the caller adds <c>items</c> argument lists with <see cref="ArgumentCodec.WriteArguments"/>.</summary>
    public static BinaryWriter BeginTask(MemoryStream ms, long taskId, Target target, byte[] tag, int items)
    {
        var w = new BinaryWriter(ms);
        w.Write(taskId);
        w.Write(target.Id);
        w.Write(target.Description.Length);
        w.Write(target.Description);
        w.Write(tag);
        w.Write(items);
        return w;
    }

    /// <summary>A whole task message for one call of <paramref name="target"/> (a worker initializer).</summary>
    public static byte[] Call(long taskId, Target target, byte[] tag, object?[] args)
    {
        var ms = new MemoryStream();
        using (var w = BeginTask(ms, taskId, target, tag, 1))
            ArgumentCodec.WriteArguments(w, args, target.Parameters, target.DisplayName);
        return ms.ToArray();
    }

    /// <summary>Writes the id of a task message built with <see cref="BeginTask"/>.</summary>
    public static void SetTaskId(byte[] message, long taskId)
        => BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(L.TaskIdOffset), taskId);

    /// <summary>The task id at the start of a task or result message; false when the message is too short to carry one.</summary>
    public static bool TryReadTaskId(ReadOnlySpan<byte> message, out long taskId)
    {
        taskId = 0;
        if (message.Length < L.TaskIdOffset + L.TaskIdSize) return false;
        taskId = BinaryPrimitives.ReadInt64LittleEndian(message[L.TaskIdOffset..]);
        return true;
    }

    /// <summary>Reads a task message's header.</summary>
    /// <exception cref="IpcSerializationException">The message is malformed.</exception>
    public static TaskHeader ReadTask(byte[] message)
    {
        if (message.Length < L.MinTaskSize) throw Malformed("task", $"{message.Length} bytes is shorter than any task");
        var span = message.AsSpan();
        long taskId = BinaryPrimitives.ReadInt64LittleEndian(span[L.TaskIdOffset..]);
        int targetId = BinaryPrimitives.ReadInt32LittleEndian(span[L.TargetIdOffset..]);
        int descLength = BinaryPrimitives.ReadInt32LittleEndian(span[L.DescriptionLengthOffset..]);
        if (descLength < 0 || descLength > message.Length - L.MinTaskSize) throw Malformed("task", $"description length {descLength} does not fit");
        int tagOffset = L.DescriptionOffset + descLength;
        int itemsOffset = tagOffset + L.TargetTagSize;
        int items = BinaryPrimitives.ReadInt32LittleEndian(span[itemsOffset..]);
        int argumentsOffset = itemsOffset + L.ItemsSize;
        // Each item starts with an i32 argument count, or takes at least a byte of a raw block: more items than that
        // cannot be in the message.
        bool raw = message.Length - argumentsOffset >= sizeof(int) && BinaryPrimitives.ReadInt32LittleEndian(span[argumentsOffset..]) == L.RawBlock;
        if (items < 0 || items > (message.Length - argumentsOffset) / (raw ? 1 : sizeof(int)))
            throw Malformed("task", $"item count {items} does not fit");
        var reader = new BinaryReader(new MemoryStream(message, argumentsOffset, message.Length - argumentsOffset, writable: false, publiclyVisible: true));
        return new TaskHeader(taskId, targetId, message.AsMemory(L.DescriptionOffset, descLength), message.AsMemory(tagOffset, L.TargetTagSize), items, reader);
    }

    /// <summary>True when values of <paramref name="t"/> travel as one raw block (<see cref="PoolMessageLayout.RawBlock"/>):
    /// unmanaged, copied byte for byte by their serializer (none registered), not transferred, not nullable.</summary>
    public static bool IsRawBlockType(Type t)
        => IpcSerializers.IsRawCopied(t) && !typeof(ITransferable).IsAssignableFrom(t) && Nullable.GetUnderlyingType(t) is null;

    /// <summary>A whole task message for a chunk of a map over one argument of a raw-block type (<see cref="IsRawBlockType"/>):
    /// the items as one raw block, no value boxed or encoded one by one.</summary>
    public static byte[] RawTask<T>(long taskId, Target target, byte[] tag, ReadOnlySpan<T> items)
        => RawTask(taskId, target, tag, items, rented: false, out _);

    /// <summary><see cref="RawTask{T}(long, Target, byte[], ReadOnlySpan{T})"/>, written into an array rented from
    /// <see cref="System.Buffers.ArrayPool{T}.Shared"/> when <paramref name="rented"/> (it may be longer than the
    /// message: the message is its first <paramref name="length"/> bytes; the caller gives it back).</summary>
    public static byte[] RawTask<T>(long taskId, Target target, byte[] tag, ReadOnlySpan<T> items, bool rented, out int length)
    {
        int itemSize = Unsafe.SizeOf<T>();
        int header = L.DescriptionOffset + target.Description.Length + L.TargetTagSize + L.ItemsSize;
        length = checked(header + L.RawBlockHeaderSize + items.Length * itemSize);
        var message = rented ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);
        using (var w = BeginTask(new MemoryStream(message), taskId, target, tag, items.Length))
        {
            w.Write(L.RawBlock);
            w.Write(itemSize);
        }
        RawBytes(items).CopyTo(message.AsSpan(header + L.RawBlockHeaderSize));
        return message;
    }

    /// <summary>A successful result whose <paramref name="items"/> values (of <paramref name="itemSize"/> bytes) are one raw
    /// block, which the caller writes at <paramref name="blockOffset"/>.</summary>
    public static byte[] RawResult(long taskId, int items, int itemSize, out int blockOffset)
    {
        blockOffset = L.ResultBodyOffset + L.ItemsSize + L.RawBlockHeaderSize;
        var message = GC.AllocateUninitializedArray<byte>(checked(blockOffset + items * itemSize));
        using (var w = BeginResult(new MemoryStream(message), taskId, items))
        {
            w.Write(L.RawBlock);
            w.Write(itemSize);
        }
        return message;
    }

    /// <summary>Reads a raw block of <paramref name="items"/> items if <paramref name="r"/> (at a task's first argument list
    /// or a result's first values, over a message in memory) holds one; false, reading nothing, when it holds items one
    /// by one.</summary>
    /// <exception cref="IpcSerializationException">The block does not hold exactly <paramref name="items"/> items.</exception>
    public static bool TryReadRawBlock(BinaryReader r, int items, out ArraySegment<byte> block, out int itemSize)
    {
        block = default;
        itemSize = 0;
        if (r.BaseStream is not MemoryStream ms || !ms.TryGetBuffer(out var buffer)) return false;
        var rest = buffer.AsSpan((int)ms.Position);
        if (rest.Length < L.RawBlockHeaderSize || BinaryPrimitives.ReadInt32LittleEndian(rest) != L.RawBlock) return false;
        itemSize = BinaryPrimitives.ReadInt32LittleEndian(rest[sizeof(int)..]);
        if (itemSize <= 0 || (long)items * itemSize != rest.Length - L.RawBlockHeaderSize)
            throw Malformed("message", $"a raw block of {rest.Length - L.RawBlockHeaderSize} bytes does not hold {items} items of {itemSize} bytes");
        block = buffer.Slice((int)ms.Position + L.RawBlockHeaderSize, items * itemSize);
        ms.Position = ms.Length;
        return true;
    }

    /// <summary>Fills <paramref name="values"/> from a result's raw block, if <paramref name="r"/> holds one (see
    /// <see cref="TryReadRawBlock"/>); false, reading nothing, when the values come one by one.</summary>
    /// <exception cref="IpcSerializationException">The block's items are not values of <typeparamref name="T"/>.</exception>
    public static bool TryReadRawValues<T>(BinaryReader r, Span<T> values)
    {
        if (!TryReadRawBlock(r, values.Length, out var block, out int itemSize)) return false;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>() || itemSize != Unsafe.SizeOf<T>())
            throw Malformed("result", $"a raw block of {itemSize}-byte items cannot hold '{typeof(T)}' values");
        block.AsSpan().CopyTo(RawBytes(values));
        return true;
    }

    /// <summary>The bytes of unmanaged values (the caller checked that <typeparamref name="T"/> holds no references).</summary>
    private static Span<byte> RawBytes<T>(Span<T> values)
        => MemoryMarshal.CreateSpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(values)), checked(values.Length * Unsafe.SizeOf<T>()));

    private static ReadOnlySpan<byte> RawBytes<T>(ReadOnlySpan<T> values)
        => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetReference(values)), checked(values.Length * Unsafe.SizeOf<T>()));

    /// <summary>Starts a successful result; the caller adds <paramref name="items"/> values.</summary>
    public static BinaryWriter BeginResult(MemoryStream ms, long taskId, int items)
    {
        var w = new BinaryWriter(ms);
        w.Write(taskId); w.Write(L.Ok); w.Write(items);
        return w;
    }

    public static byte[] Failure(long taskId, Exception e)
    {
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(taskId); w.Write(L.Failed);
            w.Write(e.GetType().FullName ?? e.GetType().Name); w.Write(e.Message); w.Write(e.StackTrace ?? "");
        }
        return ms.ToArray();
    }

    public static byte[] WorkerLost(long taskId, int pid, int exitCode)
    {
        var bytes = new byte[L.LostSize];
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(L.TaskIdOffset), taskId);
        bytes[L.StatusOffset] = L.Lost;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(L.ResultBodyOffset), pid);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(L.ResultBodyOffset + sizeof(int)), exitCode);
        return bytes;
    }

    /// <summary>The result of a task a worker skipped because the parent cancelled it (<see cref="CancelTableLayout"/>).</summary>
    public static byte[] Skipped(long taskId)
    {
        var bytes = new byte[L.SkippedSize];
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(L.TaskIdOffset), taskId);
        bytes[L.StatusOffset] = L.Skipped;
        return bytes;
    }

    /// <summary>Reads a result's header; false when the message is too short to have one (it names no task).
    /// <paramref name="body"/> is positioned after the status byte.</summary>
    public static bool TryReadResult(byte[] message, out long taskId, out byte status, out BinaryReader body)
        => TryReadResult(new ArraySegment<byte>(message), out taskId, out status, out body);

    /// <summary><see cref="TryReadResult(byte[], out long, out byte, out BinaryReader)"/> for a result inside a larger
    /// buffer (read in place).</summary>
    public static bool TryReadResult(ArraySegment<byte> message, out long taskId, out byte status, out BinaryReader body)
    {
        body = null!;
        status = 0;
        if (message.Count < L.MinResultSize || !TryReadTaskId(message, out taskId)) { taskId = 0; return false; }
        status = message[L.StatusOffset];
        body = new BinaryReader(new MemoryStream(message.Array!, message.Offset + L.ResultBodyOffset, message.Count - L.ResultBodyOffset, writable: false, publiclyVisible: true));
        return true;
    }

    /// <summary>Reads the item count of an <see cref="PoolMessageLayout.Ok"/> result.</summary>
    public static int ReadItems(BinaryReader body) => body.ReadInt32();

    /// <summary>Reads the failure part of a result (after its status byte).</summary>
    /// <exception cref="IpcSerializationException">The status is unknown or the body malformed.</exception>
    public static Exception ReadFailure(BinaryReader body, byte status)
    {
        try
        {
            return status switch
            {
                L.Lost => new IpcWorkerLostException(body.ReadInt32(), body.ReadInt32()),
                L.Failed => new IpcRemoteException(body.ReadString(), body.ReadString(), body.ReadString()),
                _ => throw Malformed("result", $"unknown status {status}"),
            };
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            throw Malformed("result", e.Message);
        }
    }

    public static IpcSerializationException Malformed(string kind, string why)
        => new($"A malformed pool {kind} message was dropped: {why}.");
}
