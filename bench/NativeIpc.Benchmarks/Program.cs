using BenchmarkDotNet.Running;
using NativeIpc;

// Children of cross-process benchmarks are this same program: let them run their targets.
Multiprocessing.FreezeSupport();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
