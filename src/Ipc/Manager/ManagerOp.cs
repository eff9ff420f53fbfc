namespace NativeIpc.Manager;

/// <summary>The requests a remote manager's server answers. Every request is one message: the op, then its
/// arguments (<see cref="ManagerMessage"/>); every reply starts with a <see cref="ManagerStatus"/>.</summary>
internal enum ManagerOp : byte
{
    /// <summary>session:i64 — first message on each connection: whose locks to release when it goes.</summary>
    Hello = 1,
    /// <summary>kind:u8 tag:u32 capacity:i64 name:str → id:i32 (get or create by name).</summary>
    Open,
    /// <summary>id version:i64 → version:i64 changed:bool [count:i32 entries:bytes] (a snapshot if newer than ours).</summary>
    Read,
    /// <summary>id expected:i64 count:i32 entries:bytes → stored:bool version:i64 [count entries] (publish if unchanged).</summary>
    Publish,
    /// <summary>id item:bytes.</summary>
    QueuePut,
    /// <summary>id timeoutMs:i32 → got:bool [item:bytes].</summary>
    QueueGet,
    /// <summary>id → count:i32.</summary>
    QueueCount,
    /// <summary>id timeoutMs:i32 → got:bool.</summary>
    LockAcquire,
    /// <summary>id.</summary>
    LockRelease,
    /// <summary>id.</summary>
    EventSet,
    /// <summary>id.</summary>
    EventClear,
    /// <summary>id → set:bool.</summary>
    EventIsSet,
    /// <summary>id timeoutMs:i32 → set:bool.</summary>
    EventWait,
}

/// <summary>The first byte of a reply; an error is followed by its message (and, for capacity, two sizes).</summary>
internal enum ManagerStatus : byte
{
    Ok = 0,
    Error,
    Capacity,
    Mismatch,
    NotHeld,
}

/// <summary>What a named object on the server is (checked when another process opens the same name).</summary>
internal enum ManagerObjectKind : byte
{
    Dict = 1,
    List,
    Value,
    Queue,
    Lock,
    Event,
}
