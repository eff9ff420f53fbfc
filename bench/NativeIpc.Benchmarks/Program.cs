using BenchmarkDotNet.Running;
using NativeIpc;

// Children of cross-process benchmarks are this same program: let them run their targets.
Multiprocessing.FreezeSupport();
if (args.Length > 0 && args[0] == "wake-latency")
    NativeIpc.Benchmarks.WakeLatency.Measure(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
else if (args.Length > 0 && args[0] == "idle-async")
    NativeIpc.Benchmarks.IdleAsync.Measure(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
else if (args.Length > 0 && args[0] == "pool-spin")
    NativeIpc.Benchmarks.PoolSpin.Measure(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7);
else if (args.Length > 0 && args[0] == "pipe-roundtrip")
    NativeIpc.Benchmarks.PipeRoundTrip.Measure(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
else if (args.Length > 0 && args[0] == "queue-rate")
    NativeIpc.Benchmarks.QueueRate.Measure(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
else if (args.Length > 0 && args[0] == "pipe-oneway")
    NativeIpc.Benchmarks.PipeOneWay.Measure(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4096,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
else
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
