namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Creates a value in shared memory, with a shared lock (<see cref="SharedValue{T}.GetLock"/>), for passing to
    /// child processes. <c>Multiprocessing.Value(0)</c> is Python's <c>Value('i', 0)</c>; the C# type replaces the type code.</summary>
    /// <remarks>Python: multiprocessing.Value (lock=True)</remarks>
    public static SharedValue<T> Value<T>(T initial) where T : unmanaged => SharedValue<T>.Create(initial, withLock: true);

    /// <summary>Creates a value in shared memory without a lock (its atomic members need none).</summary>
    /// <remarks>Python: multiprocessing.RawValue</remarks>
    public static SharedValue<T> RawValue<T>(T initial) where T : unmanaged => SharedValue<T>.Create(initial);

    /// <summary>Creates a shared array holding <paramref name="items"/>, with a shared lock:
    /// <c>Multiprocessing.Array(1.0, 2.0, 3.0)</c> is Python's <c>Array('d', [1.0, 2.0, 3.0])</c>.
    /// Note <c>Array(5)</c> is a one-element array holding 5; Python's <c>Array('i', 5)</c> is <c>Array&lt;int&gt;(5)</c>.</summary>
    /// <remarks>Python: multiprocessing.Array (lock=True)</remarks>
    public static SharedArray<T> Array<T>(params T[] items) where T : unmanaged => SharedArray<T>.Create(items, withLock: true);

    /// <summary>Creates a zero-filled shared array of <paramref name="length"/> elements, with a shared lock:
    /// <c>Multiprocessing.Array&lt;double&gt;(10)</c> is Python's <c>Array('d', 10)</c>.</summary>
    /// <remarks>Python: multiprocessing.Array (lock=True)</remarks>
    public static SharedArray<T> Array<T>(int length) where T : unmanaged => SharedArray<T>.Create(length, withLock: true);

    /// <summary>Creates a shared array holding <paramref name="items"/>, without a lock.</summary>
    /// <remarks>Python: multiprocessing.RawArray</remarks>
    public static SharedArray<T> RawArray<T>(params T[] items) where T : unmanaged => SharedArray<T>.Create(items);

    /// <summary>Creates a value in shared memory whose lock is <paramref name="lock"/>, an existing lock (several values
    /// may share one); the value does not dispose it.</summary>
    /// <remarks>Python: multiprocessing.Value(typecode, value, lock=existing_lock)</remarks>
    public static SharedValue<T> Value<T>(T initial, IpcRLock @lock) where T : unmanaged => SharedValue<T>.Create(initial, @lock);

    /// <summary>Creates a shared array holding <paramref name="items"/> whose lock is <paramref name="lock"/>, an
    /// existing lock; the array does not dispose it.</summary>
    /// <remarks>Python: multiprocessing.Array(typecode, sequence, lock=existing_lock)</remarks>
    public static SharedArray<T> Array<T>(T[] items, IpcRLock @lock) where T : unmanaged => SharedArray<T>.Create(items, @lock);
}
