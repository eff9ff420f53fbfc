namespace NativeIpc.Diagnostics;

/// <summary>Which shared count of a queue an instrument reports.</summary>
internal enum QueueField { Depth, Puts, Gets, Bytes }
