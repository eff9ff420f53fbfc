using NativeIpc.Chaos;

// The chaos suite: dotnet run -c Release --project tests/NativeIpc.Chaos -- [--seconds N] [--seed S] [--short] [--lanes L]
// Prints "chaos: kills=.. items=.. hangs=.. leaks=.. violations=.. seconds=.." and exits 1 when any of hangs, leaks,
// violations is nonzero. Participants are children running the targets in the scenario classes.
Multiprocessing.FreezeSupport();

if (args.Length > 0 && args[0] == "--role") return PidNamespaceCase.RunRole(args[1..]);

ChaosOptions options;
try { options = ChaosOptions.Parse(args); }
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
return new ChaosRun(options).Execute();
