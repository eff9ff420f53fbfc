namespace NativeIpc.Benchmarks;

/// <summary>What a 2→2 consumer counted since its last report.</summary>
public struct Tally
{
    public long Count;
    public long Sum;
}
