namespace NativeIpc.Os.Windows;

/// <summary>The bytes of the Windows parking table: one named section shared by every NativeIpc process of the
/// session, <see cref="Buckets"/> buckets of <see cref="SlotsPerBucket"/> 32-bit slots. A slot holds the id of a
/// parked waiter (0: free); a shared word hashes to one bucket (see <see cref="EventWaiter"/>).</summary>
internal static class ParkingTableLayout
{
    /// <summary>The section's name (versioned: a layout change takes a new name).</summary>
    public const string Name = @"Local\nipc-parking-v1";

    /// <summary>Buckets: words that share one wake each other spuriously, nothing worse.</summary>
    public const int Buckets = 1024;

    /// <summary>Waiters one bucket holds at once; a waiter finding its bucket full sleeps a short slice instead.</summary>
    public const int SlotsPerBucket = 16;

    /// <summary>Bytes of one bucket.</summary>
    public const int BucketBytes = SlotsPerBucket * sizeof(int);

    /// <summary>Bytes of the whole table.</summary>
    public const int Size = Buckets * BucketBytes;

    /// <summary>Longest sleep of a waiter whose bucket is full (it then re-reads its word: correct, just slower).</summary>
    public const int FullBucketSliceMs = 1;

    /// <summary>Name prefix of a waiter's auto-reset event, followed by its id in decimal.</summary>
    public const string EventPrefix = @"Local\nipc-park-";
}
