namespace NativeIpc.Queues;

/// <summary>What a take found.</summary>
internal enum TakeOutcome { Taken, TimedOut, Closed }
