namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Creates a process-shared FIFO queue; see <see cref="IpcQueue{T}"/>.</summary>
    /// <param name="maxItems">Most items held before puts block; null: bounded by the ring's bytes only.</param>
    /// <param name="capacityBytes">Size of the shared ring (default 1 MiB).</param>
    /// <remarks>Python: multiprocessing.Queue</remarks>
    public static IpcQueue<T> Queue<T>(int? maxItems = null, int capacityBytes = 1 << 20) => new(capacityBytes, maxItems);

    /// <summary>Creates a minimal process-shared queue; see <see cref="IpcSimpleQueue{T}"/>.</summary>
    /// <remarks>Python: multiprocessing.SimpleQueue</remarks>
    public static IpcSimpleQueue<T> SimpleQueue<T>(int capacityBytes = 1 << 20) => new(capacityBytes);

    /// <summary>Creates a process-shared queue with task accounting; see <see cref="IpcJoinableQueue{T}"/>.</summary>
    /// <param name="maxItems">Most items held before puts block; null: bounded by the ring's bytes only.</param>
    /// <param name="capacityBytes">Size of the shared ring (default 1 MiB).</param>
    /// <remarks>Python: multiprocessing.JoinableQueue</remarks>
    public static IpcJoinableQueue<T> JoinableQueue<T>(int? maxItems = null, int capacityBytes = 1 << 20) => new(capacityBytes, maxItems);
}
