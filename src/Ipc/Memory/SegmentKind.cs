namespace NativeIpc.Memory;

/// <summary>What a shared segment holds; recorded in its header so attaching to the wrong thing fails clearly.</summary>
internal enum SegmentKind : ushort
{
    RawMemory = 1,
    Value = 2,
    Array = 3,
    Lock = 10,
    RLock = 11,
    Semaphore = 12,
    BoundedSemaphore = 13,
    Event = 14,
    Condition = 15,
    Barrier = 16,
    Queue = 20,
    SimpleQueue = 21,
    JoinableQueue = 22,
    Pipe = 30,
    ManagedDict = 40,
    ManagedList = 41,
}
