using System.Text;
using NUnit.Framework;
using T = NativeIpc.Tests.Parity.SharedTargets;

namespace NativeIpc.Tests.Parity;

/// <summary>Ported from CPython's <c>_TestValue</c>, <c>_TestArray</c> and <c>_TestSharedCTypes</c>. A Python type code
/// is a C# type here (<c>'i'</c> int, <c>'d'</c> double, <c>'h'</c> short, <c>'q'</c> long, <c>'c'</c> byte).</summary>
[TestFixture]
public class SharedParityTests : ParityFixture
{
    private static SharedValue<TV> V<TV>(TV v, bool raw) where TV : unmanaged => raw ? Multiprocessing.RawValue(v) : Multiprocessing.Value(v);

    private void CheckValues(bool raw)
    {
        using var i = V(4343, raw);
        using var d = V(3.625, raw);
        using var h = V((short)-232, raw);
        using var q = V(1L << 33, raw);
        using var c = V((byte)'x', raw);

        Assert.That(i.Value, Is.EqualTo(4343));
        Assert.That(d.Value, Is.EqualTo(3.625));
        Assert.That(h.Value, Is.EqualTo(-232));
        Assert.That(q.Value, Is.EqualTo(1L << 33));
        Assert.That(c.Value, Is.EqualTo((byte)'x'));

        var proc = StartDaemon(T.SetValues, i, d, h, q, c);
        JoinOk(proc);

        Assert.That(i.Value, Is.EqualTo(24234));
        Assert.That(d.Value, Is.EqualTo(-4.25));
        Assert.That(h.Value, Is.EqualTo(234));
        Assert.That(q.Value, Is.EqualTo(1L << 34));
        Assert.That(c.Value, Is.EqualTo((byte)'y'));
    }

    [Test, Description("Python: _TestValue.test_value.")]
    public void TestValue_Value() => CheckValues(raw: false);

    [Test, Description("Python: _TestValue.test_rawvalue.")]
    public void TestValue_Rawvalue() => CheckValues(raw: true);

    [Test, Description("Python: _TestValue.test_getobj_getlock (pins Value(lock=existing)). Difference: get_obj() has no equivalent (the SharedValue is the object); lock=False/RawValue still have GetLock(), which throws InvalidOperationException (Python: no attribute); lock='navalue' cannot compile.")]
    public void TestValue_GetobjGetlock()
    {
        using var val1 = Multiprocessing.Value(5);
        Assert.That(val1.GetLock(), Is.Not.Null);

        using var val2 = SharedValue<int>.Create(5, withLock: true); // lock=None: a fresh lock
        Assert.That(val2.GetLock(), Is.Not.Null);

        using var @lock = Multiprocessing.RLock();
        using var val3 = Multiprocessing.Value(5, @lock);
        Assert.That(val3.GetLock(), Is.SameAs(@lock));

        using var arr4 = SharedValue<int>.Create(5, withLock: false); // lock=False
        Assert.Throws<InvalidOperationException>(() => arr4.GetLock());

        using var arr5 = Multiprocessing.RawValue(5);
        Assert.Throws<InvalidOperationException>(() => arr5.GetLock());
    }

    private void CheckArray(bool raw)
    {
        int[] seq = [680, 626, 934, 821, 150, 233, 548, 982, 714, 831];
        using var arr = raw ? Multiprocessing.RawArray(seq) : Multiprocessing.Array(seq);

        Assert.That(arr.Length, Is.EqualTo(seq.Length));
        Assert.That(arr[3], Is.EqualTo(seq[3]));
        Assert.That(arr.AsSpan()[2..7].ToArray(), Is.EqualTo(seq[2..7]));

        int[] four = [1, 2, 3, 4];
        four.CopyTo(arr.AsSpan()[4..8]);   // arr[4:8] = seq[4:8] = array('i', [1, 2, 3, 4])
        four.CopyTo(seq.AsSpan()[4..8]);
        Assert.That(arr.ToArray(), Is.EqualTo(seq));

        T.PrefixSums(seq);
        var p = StartDaemon(T.PrefixSumsShared, arr);
        JoinOk(p);
        Assert.That(arr.ToArray(), Is.EqualTo(seq));
    }

    [Test, Description("Python: _TestArray.test_array.")]
    public void TestArray_Array() => CheckArray(raw: false);

    [Test, Description("Python: _TestArray.test_rawarray.")]
    public void TestArray_Rawarray() => CheckArray(raw: true);

    [Test, Description("Python: _TestArray.test_array_from_size: a new array is zeroed, also where an earlier one was.")]
    public void TestArray_ArrayFromSize()
    {
        const int size = 10;
        for (int r = 0; r < 3; r++)
        {
            using var arr = Multiprocessing.Array<int>(size);
            Assert.That(arr.Length, Is.EqualTo(size));
            Assert.That(arr.ToArray(), Is.EqualTo(new int[size]));
            arr.CopyFrom(Enumerable.Range(0, 10).ToArray());
            Assert.That(arr.ToArray(), Is.EqualTo(Enumerable.Range(0, 10).ToArray()));
        }
    }

    [Test, Description("Python: _TestArray.test_getobj_getlock_obj (pins Array(lock=existing)). Difference: as for Value: no get_obj(); GetLock() throws for a lock-less array; lock='notalock' cannot compile.")]
    public void TestArray_GetobjGetlockObj()
    {
        int[] ten = [.. Enumerable.Range(0, 10)];
        using var arr1 = Multiprocessing.Array(ten);
        Assert.That(arr1.GetLock(), Is.Not.Null);

        using var arr2 = SharedArray<int>.Create(ten, withLock: true);
        Assert.That(arr2.GetLock(), Is.Not.Null);

        using var @lock = Multiprocessing.RLock();
        using var arr3 = Multiprocessing.Array(ten, @lock);
        Assert.That(arr3.GetLock(), Is.SameAs(@lock));

        using var arr4 = SharedArray<int>.Create(ten, withLock: false);
        Assert.Throws<InvalidOperationException>(() => arr4.GetLock());

        using var arr5 = Multiprocessing.RawArray(ten);
        Assert.Throws<InvalidOperationException>(() => arr5.GetLock());
    }

    private void CheckSharedCTypes(bool withLock)
    {
        using var x = SharedValue<int>.Create(7, withLock: withLock);
        using var y = SharedValue<double>.Create(1.0 / 3.0, withLock: withLock);
        using var z = SharedValue<long>.Create(1L << 33, withLock: withLock);
        using var foo = SharedValue<Foo>.Create(new Foo(3, 2), withLock: withLock);
        using var arr = SharedArray<double>.Create([.. Enumerable.Range(0, 10).Select(i => (double)i)], withLock: withLock);
        using var str = SharedArray<byte>.Create(20, withLock: withLock);
        Encoding.ASCII.GetBytes("hello").CopyTo(str.AsSpan()); // string.value = 'hello'

        var p = StartDaemon(T.Double, x, y, z, foo, arr, str);
        JoinOk(p);

        Assert.That(x.Value, Is.EqualTo(14));
        Assert.That(y.Value, Is.EqualTo(2.0 / 3.0).Within(1e-7));
        Assert.That(z.Value, Is.EqualTo(1L << 34));
        Assert.That(foo.Value.X, Is.EqualTo(6));
        Assert.That(foo.Value.Y, Is.EqualTo(4.0).Within(1e-7));
        for (int i = 0; i < 10; i++) Assert.That(arr[i], Is.EqualTo(i * 2).Within(1e-7));
        var s = str.AsSpan();
        Assert.That(Encoding.ASCII.GetString(s[..s.IndexOf((byte)0)]), Is.EqualTo("hellohello"));
    }

    [Test, Description("Python: _TestSharedCTypes.test_sharedctypes.")]
    public void TestSharedCTypes_Sharedctypes() => CheckSharedCTypes(withLock: false);

    [Test, Description("Python: _TestSharedCTypes.test_synchronize.")]
    public void TestSharedCTypes_Synchronize() => CheckSharedCTypes(withLock: true);

    [Test, Description("Python: _TestSharedCTypes.test_copy: reading a shared struct gives a copy.")]
    public void TestSharedCTypes_Copy()
    {
        using var foo = SharedValue<Foo>.Create(new Foo(2, 5.0, 1L << 33));
        var bar = foo.Value; // copy(foo)
        foo.Value = default;
        Assert.That(bar.X, Is.EqualTo(2));
        Assert.That(bar.Y, Is.EqualTo(5.0).Within(1e-7));
        Assert.That(bar.Z, Is.EqualTo(1L << 33));
    }
}
