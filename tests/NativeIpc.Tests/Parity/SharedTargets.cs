using System.Runtime.InteropServices;

namespace NativeIpc.Tests.Parity;

/// <summary>Python's _Foo ctypes Structure: x (c_int), y (c_double), z (c_longlong).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Foo
{
    public int X;
    public double Y;
    public long Z;

    public Foo(int x, double y, long z = 0)
    {
        X = x;
        Y = y;
        Z = z;
    }
}

/// <summary>Child targets of the ported _TestValue, _TestArray and _TestSharedCTypes tests.</summary>
public static class SharedTargets
{
    /// <summary>_TestValue._test: sets each value to its code's second value.</summary>
    public static void SetValues(SharedValue<int> i, SharedValue<double> d, SharedValue<short> h, SharedValue<long> q, SharedValue<byte> c)
    {
        i.Value = 24234;
        d.Value = -4.25;
        h.Value = 234;
        q.Value = 1L << 34;
        c.Value = (byte)'y';
    }

    /// <summary>_TestArray.f: running sums.</summary>
    public static void PrefixSums(int[] seq)
    {
        for (int i = 1; i < seq.Length; i++) seq[i] += seq[i - 1];
    }

    public static void PrefixSumsShared(SharedArray<int> seq)
    {
        for (int i = 1; i < seq.Length; i++) seq[i] += seq[i - 1];
    }

    /// <summary>_TestSharedCTypes._double: doubles everything (the C string too: 'hello' becomes 'hellohello').</summary>
    public static void Double(SharedValue<int> x, SharedValue<double> y, SharedValue<long> z, SharedValue<Foo> foo, SharedArray<double> arr, SharedArray<byte> str)
    {
        x.Value *= 2;
        y.Value *= 2;
        z.Value *= 2;
        var f = foo.Value;
        f.X *= 2;
        f.Y *= 2;
        foo.Value = f;
        var s = str.AsSpan();
        int len = s.IndexOf((byte)0);
        s[..len].CopyTo(s[len..]);
        for (int i = 0; i < arr.Length; i++) arr[i] *= 2;
    }
}
