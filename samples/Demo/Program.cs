using NativeIpc;
using NativeIpc.Compare;
using NativeIpc.Demo;

// Needed only when this app is published with NativeAOT; harmless otherwise.
Multiprocessing.FreezeSupport();
// The throughput section's .NET anonymous-pipe baseline starts its children as this executable.
if (CompareRunner.IsChild(args)) return CompareRunner.Run(args);

var examples = new (string Name, Action Run)[]
{
    ("process", ProcessExample.Run),
    ("queue", QueueExample.Run),
    ("pipe", PipeExample.Run),
    ("shared-memory", SharedMemoryExample.Run),
    ("pool", PoolExample.Run),
    ("lock", LockExample.Run),
    ("manager", ManagerExample.Run),
    ("throughput", ThroughputExample.Run),
};

var only = args.Length > 0 ? args : null;
foreach (var (name, run) in examples)
{
    if (only is not null && !only.Contains(name)) continue;
    Console.WriteLine($"== {name} ==");
    run();
}
return 0;
