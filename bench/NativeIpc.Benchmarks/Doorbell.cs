using System.Runtime.CompilerServices;
using NativeIpc.Os;

namespace NativeIpc.Benchmarks;

/// <summary>Parent/child hand-off for cross-process benchmarks, on a shared int array (NativeIpc's events live on the
/// sync branch): the parent bumps the request word, the worker answers on the done word, each a cache line apart.
/// Spin briefly, then futex-sleep, so an idle worker does not steal a core from the measured side.</summary>
internal static unsafe class Doorbell
{
    public const int RequestIndex = 0;
    public const int DoneIndex = SegmentLayout.CacheLine / sizeof(int);
    public const int ControlLength = 2 * DoneIndex;

    /// <summary>Request value that tells the worker to exit.</summary>
    public const int Stop = -1;

    public static void Ring(SharedArray<int> control, int index, int value)
    {
        int* word = (int*)Unsafe.AsPointer(ref control[index]);
        Volatile.Write(ref *word, value);
        OsLayer.Waiter.Wake(word, int.MaxValue);
    }

    /// <summary>Waits until the word differs from <paramref name="seen"/>; returns its new value.</summary>
    public static int WaitChange(SharedArray<int> control, int index, int seen)
    {
        int* word = (int*)Unsafe.AsPointer(ref control[index]);
        var spin = new SpinWait();
        int v;
        while ((v = Volatile.Read(ref *word)) == seen)
        {
            if (spin.Count < 50) spin.SpinOnce(sleep1Threshold: -1);
            else OsLayer.Waiter.Wait(word, seen, 1000);
        }
        return v;
    }
}
