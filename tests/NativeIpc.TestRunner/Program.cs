using System.Reflection;
using NUnit.Framework.Api;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace NativeIpc.TestRunner;

/// <summary>Runs this assembly's NUnit tests in-process and prints one line per finished test, the failures'
/// messages, and a closing 'N passed, N failed, N skipped' line; exit code 0 only when nothing failed.</summary>
/// <remarks>Arguments: optional substrings of test full names; a test runs when its name contains any of them.</remarks>
internal static class Program
{
    // NUnit captures Console.Out while a test runs (its output belongs to the result): progress goes to the real stdout.
    private static readonly TextWriter s_out = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };

    private static int Main(string[] args)
    {
        var runner = new NUnitTestAssemblyRunner(new DefaultTestAssemblyBuilder());
        runner.Load(Assembly.GetExecutingAssembly(), new Dictionary<string, object>());
        var listener = new Listener();
        ITestFilter filter = args.Length == 0 ? TestFilter.Empty : new NameFilter(args);
        var watchdog = new Thread(() => listener.Watch(HangSeconds)) { IsBackground = true, Name = "hang watchdog" };
        watchdog.Start();
        runner.Run(listener, filter);
        s_out.WriteLine($"{listener.Passed} passed, {listener.Failed} failed, {listener.Skipped} skipped");
        return listener.Failed == 0 ? 0 : 1;
    }

    /// <summary>A test that runs longer than this is reported hung and the run ends (NATIVEIPC_TEST_HANG_SECONDS,
    /// default 300): every test waits with a timeout, so one that outlives it is a defect, and the counts of the rest
    /// still reach the leg instead of a killed runner's nothing.</summary>
    private static int HangSeconds
        => int.TryParse(Environment.GetEnvironmentVariable("NATIVEIPC_TEST_HANG_SECONDS"), out int s) && s > 0 ? s : 300;

    /// <summary>Counts test cases (not suites) and prints each one's outcome and time as it finishes.</summary>
    private sealed class Listener : ITestListener
    {
        private readonly object _lock = new();
        public int Passed, Failed, Skipped;
        private string? _running;
        private long _startedAt;

        public void TestStarted(ITest test)
        {
            if (test.IsSuite) return;
            lock (_lock) { _running = test.FullName; _startedAt = Environment.TickCount64; }
        }

        /// <summary>Ends the process, with a closing line counting the hung test as failed, once a test outlives
        /// <paramref name="seconds"/>.</summary>
        public void Watch(int seconds)
        {
            while (true)
            {
                Thread.Sleep(1000);
                lock (_lock)
                {
                    if (_running is null || Environment.TickCount64 - _startedAt < seconds * 1000L) continue;
                    s_out.WriteLine($"FAIL {seconds,7:F2}s {_running}");
                    s_out.WriteLine($"    HUNG: still running after {seconds} s; the run stops here (tests after it did not run).");
                    s_out.WriteLine($"{Passed} passed, {Failed + 1} failed, {Skipped} skipped");
                    Environment.Exit(1);
                }
            }
        }

        public void TestFinished(ITestResult result)
        {
            if (result.Test.IsSuite)
            {
                // A fixture whose setup failed fails its tests without finishing them one by one.
                if (result.ResultState.Status == TestStatus.Failed && result.ResultState.Site is FailureSite.SetUp or FailureSite.TearDown)
                    lock (_lock) s_out.WriteLine($"SUITE {result.ResultState.Site} FAILED {result.FullName}: {result.Message}");
                return;
            }
            lock (_lock)
            {
                _running = null;
                string tag;
                switch (result.ResultState.Status)
                {
                    case TestStatus.Passed: Passed++; tag = "pass"; break;
                    case TestStatus.Failed: Failed++; tag = "FAIL"; break;
                    default: Skipped++; tag = "skip"; break;
                }
                s_out.WriteLine($"{tag} {result.Duration,7:F2}s {result.FullName}");
                if (result.ResultState.Status == TestStatus.Failed)
                {
                    s_out.WriteLine("    " + result.Message?.Replace("\n", "\n    "));
                    if (result.StackTrace is { } st) s_out.WriteLine("    " + st.Replace("\n", "\n    "));
                }
            }
        }

        public void TestOutput(TestOutput output) { }

        public void SendMessage(TestMessage message) { }
    }

    /// <summary>Matches test cases whose full name contains any of the given substrings (and the suites above them).</summary>
    private sealed class NameFilter(string[] parts) : TestFilter
    {
        public override bool Match(ITest test) => parts.Any(p => test.FullName.Contains(p, StringComparison.Ordinal));

        public override TNode AddToXml(TNode parentNode, bool recursive) => parentNode.AddElement("name-filter");
    }
}
