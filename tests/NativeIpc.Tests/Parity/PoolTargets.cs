namespace NativeIpc.Tests.Parity;

/// <summary>Python's SayWhenError.</summary>
public sealed class SayWhenException(string message) : ArgumentException(message);

/// <summary>A plain object (Python's CountedObject, without the instance count).</summary>
public sealed class CountedObject
{
    public int Id { get; set; }
}

/// <summary>Functions the ported _TestPool tests run in workers (sqr, mul, identity, raising, ...).</summary>
public static class PoolTargets
{
    public static int Sqr(int x) => x * x;

    /// <summary>sqr(x, wait): sleeps <paramref name="waitMs"/> first.</summary>
    public static int SqrWait(int x, int waitMs)
    {
        Thread.Sleep(waitMs);
        return x * x;
    }

    public static int Mul(int x, int y) => x * y;

    public static int ParseInt(string s) => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    public static int SleepMs(int ms)
    {
        Thread.Sleep(ms);
        return ms;
    }

    public static int Unpicklable(Probe p) => p.Value ? 1 : 0;

    /// <summary>raise_large_valuerror: a 1 MiB message after <paramref name="waitSeconds"/>.</summary>
    public static int RaiseLargeValueError(int waitSeconds)
    {
        Thread.Sleep(waitSeconds * 1000);
        throw new ArgumentException(new string('x', 1024 * 1024));
    }

    public static CountedObject Identity(CountedObject x) => x;

    /// <summary>_test_traceback: raise RuntimeError(123) # some comment.</summary>
    public static int RaiseRuntimeError123() => throw new InvalidOperationException("123");

    /// <summary>_test_wrapped_exception.</summary>
    public static int RaiseRuntimeErrorFoo() => throw new InvalidOperationException("foo");

    /// <summary>raising(): raise KeyError("key").</summary>
    public static int Raising() => throw new KeyNotFoundException("key");

    /// <summary>unpickleable_result(): a result that cannot be serialized back.</summary>
    public static Probe UnpickleableResult() => new() { Explode = true };

    /// <summary>exception_throwing_generator(total, when).</summary>
    public static IEnumerable<int> ExceptionThrowingGenerator(int total, int when)
    {
        if (when == -1) throw new SayWhenException("Somebody said when");
        for (int i = 0; i < total; i++)
        {
            if (i == when) throw new SayWhenException("Somebody said when");
            yield return i;
        }
    }

    /// <summary>An iterable whose enumerator throws at once (Python's SpecialIterable).</summary>
    public sealed class SpecialIterable : IEnumerable<int>
    {
        public IEnumerator<int> GetEnumerator() => throw new SayWhenException("Somebody said when");

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>test_worker_finalization_via_atexit_handler_of_multiprocessing: a child that makes a pool, maps, and
    /// exits without closing it.</summary>
    public static void PoolWithoutClose()
    {
        var pool = new ProcessPool(1);
        var r = pool.Map(Sqr, Enumerable.Range(0, 10));
        if (r.Length != 10) throw new InvalidOperationException("map lost results");
        GC.KeepAlive(pool);
    }
}
