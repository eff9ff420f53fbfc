using NativeIpc.Serialization;

namespace NativeIpc.Pool;

/// <summary>The inputs of one map or apply, read at once and encoded chunk by chunk into task messages
/// (<see cref="PoolMessage"/>): items of one raw-block type (<see cref="PoolMessage.IsRawBlockType"/>) as one raw block
/// per chunk, with no box per item; anything else as argument lists.</summary>
internal abstract class PoolItems
{
    public abstract int Count { get; }

    /// <summary>The task message for the <paramref name="count"/> items from <paramref name="start"/>.</summary>
    /// <exception cref="IpcSerializationException">An argument cannot cross a process boundary.</exception>
    public abstract byte[] Chunk(long taskId, PoolMessage.Target target, byte[] tag, int start, int count);

    /// <summary>Messages from this size up are written into rented arrays by <see cref="RentedChunk"/>.</summary>
    public const int RentedFrom = 16 * 1024;

    /// <summary>Like <see cref="Chunk"/>; a large raw block is written into an array rented from
    /// <see cref="System.Buffers.ArrayPool{T}.Shared"/> (<paramref name="rented"/>; the message is its first
    /// <paramref name="length"/> bytes), which the caller gives back once it is sent: a map of large chunks then makes no
    /// large-object allocation per chunk.</summary>
    public virtual byte[] RentedChunk(long taskId, PoolMessage.Target target, byte[] tag, int start, int count, out int length, out bool rented)
    {
        var message = Chunk(taskId, target, tag, start, count);
        length = message.Length;
        rented = false;
        return message;
    }

    /// <summary>The items of a map over a one-argument function.</summary>
    public static PoolItems Single<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        // An array is read in place: every chunk is encoded before the submitting call returns.
        return PoolMessage.IsRawBlockType(typeof(T)) ? new RawBlock<T>(items as T[] ?? items.ToArray())
            : new ArgumentLists(items.Select(x => new object?[] { x }).ToList());
    }

    /// <summary>The items of a map over a two-argument function.</summary>
    public static PoolItems Pairs<T1, T2>(IEnumerable<(T1, T2)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new ArgumentLists(items.Select(t => new object?[] { t.Item1, t.Item2 }).ToList());
    }

    /// <summary>Items given as argument lists (an apply: one list).</summary>
    public static PoolItems Lists(IReadOnlyList<object?[]> items) => new ArgumentLists(items);

    private sealed class ArgumentLists(IReadOnlyList<object?[]> items) : PoolItems
    {
        public override int Count => items.Count;

        public override byte[] Chunk(long taskId, PoolMessage.Target target, byte[] tag, int start, int count)
        {
            var ms = new MemoryStream();
            using (var w = PoolMessage.BeginTask(ms, taskId, target, tag, count))
                for (int i = start; i < start + count; i++)
                    ArgumentCodec.WriteArguments(w, items[i], target.Parameters, target.DisplayName);
            return ms.ToArray();
        }
    }

    /// <summary>Unmanaged items: a raw block when the target takes exactly one <typeparamref name="T"/> (a delegate whose
    /// method takes more, such as one closed over its first argument, gets argument lists and the worker's usual check).</summary>
    private sealed class RawBlock<T>(T[] items) : PoolItems
    {
        public override int Count => items.Length;

        public override byte[] Chunk(long taskId, PoolMessage.Target target, byte[] tag, int start, int count)
        {
            if (target.Parameters is [{ ParameterType: var p }] && p == typeof(T))
                return PoolMessage.RawTask<T>(taskId, target, tag, items.AsSpan(start, count));
            return ListsChunk(taskId, target, tag, start, count);
        }

        public override byte[] RentedChunk(long taskId, PoolMessage.Target target, byte[] tag, int start, int count, out int length, out bool rented)
        {
            if (target.Parameters is [{ ParameterType: var p }] && p == typeof(T))
            {
                rented = (long)count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>() >= RentedFrom;
                return PoolMessage.RawTask<T>(taskId, target, tag, items.AsSpan(start, count), rented, out length);
            }
            rented = false;
            var message = ListsChunk(taskId, target, tag, start, count);
            length = message.Length;
            return message;
        }

        private byte[] ListsChunk(long taskId, PoolMessage.Target target, byte[] tag, int start, int count)
        {
            var lists = new object?[count][];
            for (int i = 0; i < count; i++) lists[i] = [items[start + i]];
            return new ArgumentLists(lists).Chunk(taskId, target, tag, 0, count);
        }
    }
}
