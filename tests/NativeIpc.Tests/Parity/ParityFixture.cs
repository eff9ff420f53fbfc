using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Parity;

/// <summary>Base of the CPython parity suite: tests ported from CPython's <c>Lib/test/_test_multiprocessing.py</c>,
/// each named after the Python test it ports (<c>_TestProcess.test_current</c> is <c>TestProcess_Current</c>) and
/// keeping its assertions. A deliberate difference asserts NativeIpc's documented behaviour instead and says
/// <c>Difference:</c> in the test's description (see Parity/README.md for the counts and the list).</summary>
[Category("Parity")]
public abstract class ParityFixture : ChildProcessFixture
{
    // CPython's constants (_test_multiprocessing.py): DELTA and the three timeouts its timing checks use.
    protected static readonly TimeSpan Delta = TimeSpan.FromSeconds(0.1);
    protected static readonly TimeSpan Timeout1 = TimeSpan.FromSeconds(0.82);
    protected static readonly TimeSpan Timeout2 = TimeSpan.FromSeconds(0.35);
    protected static readonly TimeSpan Timeout3 = TimeSpan.FromSeconds(1.4);

    /// <summary>support.SHORT_TIMEOUT / LONG_TIMEOUT: only bounds on waits that should end much sooner.</summary>
    protected static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Python's <c>assertTimingAlmostEqual</c>, which CPython runs only with CHECK_TIMINGS; here always, with a
    /// floor (a timed wait never returns early) and a ceiling generous enough for a loaded 2-core machine.</summary>
    protected static void AssertTimingAlmostEqual(TimeSpan elapsed, TimeSpan expected)
    {
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(expected - TimeSpan.FromMilliseconds(30)), "returned before its timeout");
        Assert.That(elapsed, Is.LessThan(expected + TimeSpan.FromSeconds(5)), "took far longer than its timeout");
    }

    /// <summary>Runs <paramref name="action"/> and returns how long it took (Python's TimingWrapper).</summary>
    protected static TimeSpan Timed(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed;
    }

    /// <summary>Runs <paramref name="func"/>, storing how long it took (Python's TimingWrapper).</summary>
    protected static T Timed<T>(Func<T> func, out TimeSpan elapsed)
    {
        var sw = Stopwatch.StartNew();
        var r = func();
        elapsed = sw.Elapsed;
        return r;
    }

    /// <summary>Starts a tracked daemon child (Python's tests set <c>p.daemon = True</c> on most).</summary>
    protected IpcProcess StartDaemon(Delegate target, params object?[] args)
        => Track(new IpcProcess(target, args) { Daemon = true }).Start();

    /// <summary>Joins and asserts exit code 0 (a child's failed Python-style <c>assert</c> exits with 1).</summary>
    protected static void JoinOk(IpcProcess p)
    {
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0), $"{p} failed (a child's assertion throws, exit code 1)");
    }

    /// <summary>Polls <paramref name="func"/> until it returns <paramref name="value"/> (Python's assertReachesEventually).</summary>
    protected static void AssertReachesEventually<T>(Func<T> func, T value)
    {
        Eventually(() => EqualityComparer<T>.Default.Equals(func(), value), ShortTimeout);
        Assert.That(func(), Is.EqualTo(value));
    }
}
