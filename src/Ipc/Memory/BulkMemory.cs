using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeIpc.Memory;

/// <summary>Large fills of shared memory at the memory bus's speed. A cached store first reads the line it writes
/// (read-for-ownership), so filling a region larger than the caches moves every byte twice; non-temporal stores
/// write whole lines straight to memory. Measured on the 64 MiB array row (2-vCPU EPYC VM): ~2 ms instead of
/// <c>Span.Fill</c>'s ~3 ms, and no tier-0 code in a fresh process (<c>Span.Fill&lt;T&gt;</c> of a new T starts as
/// unoptimised code and is recompiled mid-loop, which doubled a child's first fill).</summary>
internal static unsafe class BulkMemory
{
    /// <summary>From this size a fill bypasses the caches: the data would not stay in them anyway.</summary>
    public const long NonTemporalThreshold = 4L << 20;

    private const int Width = 32; // one Vector256

    /// <summary>Whether <see cref="FillNonTemporal"/> can fill <paramref name="bytes"/> of elements of
    /// <paramref name="elementSize"/> bytes here: large enough, AVX present, and the element repeats within 32 bytes.</summary>
    public static bool CanFillNonTemporal(int elementSize, long bytes)
        => bytes >= NonTemporalThreshold && Avx.IsSupported && elementSize is 1 or 2 or 4 or 8 or 16 or 32;

    /// <summary>Writes <paramref name="pattern"/> (one element repeated to 32 bytes) over <paramref name="bytes"/>
    /// bytes at <paramref name="destination"/>, which is aligned to the element size, and fences the stores: they
    /// are visible to other processes before any store this thread makes afterwards (a message saying "filled").</summary>
    /// <remarks>Optimised at its first call (never tier-0): a fresh process runs it at full speed at once.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillNonTemporal(byte* destination, long bytes, Vector256<byte> pattern)
    {
        // The element size divides 32 and the destination is element-aligned, so every 32-aligned address inside the
        // region, and end - 32, start a whole element: the pattern stays in phase at each store below.
        byte* end = destination + bytes;
        Avx.Store(destination, pattern); // the unaligned head
        byte* p = (byte*)(((nuint)destination + Width) & ~(nuint)(Width - 1));
        for (; p + 4 * Width <= end; p += 4 * Width)
        {
            Avx.StoreAlignedNonTemporal(p, pattern);
            Avx.StoreAlignedNonTemporal(p + Width, pattern);
            Avx.StoreAlignedNonTemporal(p + 2 * Width, pattern);
            Avx.StoreAlignedNonTemporal(p + 3 * Width, pattern);
        }
        for (; p + Width <= end; p += Width) Avx.StoreAlignedNonTemporal(p, pattern);
        Sse.StoreFence(); // non-temporal stores are weakly ordered: complete them before the tail and any later store
        Avx.Store(end - Width, pattern); // the tail
    }

    /// <summary>One element repeated to fill 32 bytes; <paramref name="value"/>'s size divides 32.</summary>
    public static Vector256<byte> Pattern<T>(T value) where T : unmanaged
    {
        Span<T> lane = stackalloc T[Width / sizeof(T)];
        lane.Fill(value);
        return Vector256.Create<byte>(System.Runtime.InteropServices.MemoryMarshal.AsBytes(lane));
    }
}
