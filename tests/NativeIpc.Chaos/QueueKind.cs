namespace NativeIpc.Chaos;

/// <summary>Which queue a <see cref="QueueScenario"/> runs on.</summary>
internal enum QueueKind { Unbounded, Bounded, Joinable }
