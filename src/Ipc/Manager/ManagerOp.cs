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

    // The lease connection (one per client process, <see cref="LeaseChannel"/>): requests carry a sequence number and
    // are answered by a <see cref="LeasePush.Reply"/>; changes and acknowledgements get no answer.

    /// <summary>session:i64 — first message of a client's lease connection (instead of <see cref="Hello"/>).</summary>
    HelloLease,
    /// <summary>id seq:u32 version:i64 → version:i64 changed:bool [count:i32 entries:bytes]; grants a shared lease.</summary>
    LeaseRead,
    /// <summary>id seq:u32 version:i64 → as LeaseRead; grants the exclusive lease (every other holder revoked first).</summary>
    LeaseAcquire,
    /// <summary>id base:i64 count:i32 prefix:i32 suffix:i32 middle:bytes — the exclusive holder's change, no answer
    /// (<see cref="SnapshotDelta"/>).</summary>
    LeaseDelta,
    /// <summary>id — the client dropped its lease on id after a <see cref="LeasePush.Revoke"/>; no answer.</summary>
    LeaseAck,
    /// <summary>seq:u32 → (nothing): answered once every change sent before it is applied.</summary>
    LeaseSync,
}

/// <summary>What the server sends on a lease connection: the first byte of each message.</summary>
internal enum LeasePush : byte
{
    /// <summary>seq:u32 then a reply (status first) to the request with that sequence number.</summary>
    Reply = 1,
    /// <summary>id:i32 — drop your lease on id and acknowledge (<see cref="ManagerOp.LeaseAck"/>).</summary>
    Revoke,
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
