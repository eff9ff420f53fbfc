namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Creates a value in shared memory, for passing to child processes.
    /// <c>Multiprocessing.Value(0)</c> is Python's <c>Value('i', 0)</c>; the C# type replaces the type code.</summary>
    /// <remarks>Python: multiprocessing.Value</remarks>
    public static SharedValue<T> Value<T>(T initial) where T : unmanaged => SharedValue<T>.Create(initial);

    /// <summary>Creates a shared array holding <paramref name="items"/>:
    /// <c>Multiprocessing.Array(1.0, 2.0, 3.0)</c> is Python's <c>Array('d', [1.0, 2.0, 3.0])</c>.
    /// Note <c>Array(5)</c> is a one-element array holding 5; Python's <c>Array('i', 5)</c> is <c>Array&lt;int&gt;(5)</c>.</summary>
    /// <remarks>Python: multiprocessing.Array</remarks>
    public static SharedArray<T> Array<T>(params T[] items) where T : unmanaged => SharedArray<T>.Create(items);

    /// <summary>Creates a zero-filled shared array of <paramref name="length"/> elements:
    /// <c>Multiprocessing.Array&lt;double&gt;(10)</c> is Python's <c>Array('d', 10)</c>.</summary>
    /// <remarks>Python: multiprocessing.Array</remarks>
    public static SharedArray<T> Array<T>(int length) where T : unmanaged => SharedArray<T>.Create(length);
}
