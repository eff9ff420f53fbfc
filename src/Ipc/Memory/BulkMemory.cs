using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NativeIpc.Memory;

/// <summary>Large fills of shared memory at the memory bus's speed. A cached store first reads the line it writes
/// (read-for-ownership), so filling a region larger than the caches moves every byte twice; non-temporal stores
/// write whole lines straight to memory. Measured on a 64 MiB array (2-vCPU EPYC VM, huge pages): 1.6-2.2 ms a fill
/// instead of <c>Span.Fill</c>'s 3-3.9 ms. Written with SSE2 only, which every x64 has, so the ReadyToRun image holds
/// it compiled: a fresh process fills at once instead of JIT-compiling first (<c>Span.Fill&lt;T&gt;</c> of a new T
/// starts as unoptimised code and is recompiled mid-loop; an AVX version was compiled at its first call; either cost
/// a child's first 64 MiB fill 2-4 ms).</summary>
internal static unsafe class BulkMemory
{
    /// <summary>From this size a fill bypasses the caches: the data would not stay in them anyway.</summary>
    public const long NonTemporalThreshold = 4L << 20;

    private const int Width = 16; // one Vector128
    private const int Line = 64; // stores per loop step: one cache line

    /// <summary>Whether <see cref="FillNonTemporal"/> can fill <paramref name="bytes"/> of elements of
    /// <paramref name="elementSize"/> bytes here: large enough, SSE2 present, and the element repeats within 16 bytes.</summary>
    public static bool CanFillNonTemporal(int elementSize, long bytes)
        => bytes >= NonTemporalThreshold && Sse2.IsSupported && elementSize is 1 or 2 or 4 or 8 or 16;

    /// <summary>Writes the 16 bytes at <paramref name="pattern16"/> (one element repeated) over <paramref name="bytes"/>
    /// bytes at <paramref name="destination"/>, which is aligned to the element size, and fences the stores: they
    /// are visible to other processes before any store this thread makes afterwards (a message saying "filled").</summary>
    /// <remarks>No vector type in the signature: Crossgen2 leaves such methods to the JIT.</remarks>
    public static void FillNonTemporal(byte* destination, long bytes, byte* pattern16)
    {
        Vector128<byte> pattern = Sse2.LoadVector128(pattern16);
        // The element size divides 16 and the destination is element-aligned, so every 16-aligned address inside the
        // region, and end - 16, start a whole element: the pattern stays in phase at each store below.
        byte* end = destination + bytes;
        Sse2.Store(destination, pattern); // the unaligned head
        byte* p = (byte*)(((nuint)destination + Width) & ~(nuint)(Width - 1));
        for (; p + Line <= end; p += Line)
        {
            Sse2.StoreAlignedNonTemporal(p, pattern);
            Sse2.StoreAlignedNonTemporal(p + Width, pattern);
            Sse2.StoreAlignedNonTemporal(p + 2 * Width, pattern);
            Sse2.StoreAlignedNonTemporal(p + 3 * Width, pattern);
        }
        for (; p + Width <= end; p += Width) Sse2.StoreAlignedNonTemporal(p, pattern);
        Sse.StoreFence(); // non-temporal stores are weakly ordered: complete them before the tail and any later store
        Sse2.Store(end - Width, pattern); // the tail
    }

    /// <summary>The 16 bytes a pattern takes (<see cref="WritePattern"/>).</summary>
    public const int PatternBytes = Width;

    /// <summary>Writes <paramref name="value"/> repeated over the <see cref="PatternBytes"/> bytes at
    /// <paramref name="pattern16"/>; <paramref name="value"/>'s size divides 16.</summary>
    public static void WritePattern<T>(byte* pattern16, T value) where T : unmanaged
    {
        for (int i = 0; i < Width; i += sizeof(T)) Unsafe.WriteUnaligned(pattern16 + i, value);
    }
}
