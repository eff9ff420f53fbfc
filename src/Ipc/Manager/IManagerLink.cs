namespace NativeIpc.Manager;

/// <summary>How a remote manager's proxies reach its server: over the network (<see cref="ManagerClient"/>) or, in
/// the serving process, by a direct call (<see cref="LocalManagerLink"/>). One request in, one reply out.</summary>
internal interface IManagerLink : IDisposable
{
    /// <summary>Sends <paramref name="request"/> and returns the reply after its status, which is checked: an error
    /// status throws the matching exception.</summary>
    byte[] Call(ManagerMessage request);

    /// <summary>Opens (creating if new) the object called <paramref name="name"/> and returns its id.</summary>
    /// <exception cref="IpcSegmentMismatchException">The name holds another kind of object or other types.</exception>
    int Open(ManagerObjectKind kind, uint tag, long capacity, string name)
        => new ManagerReader(Call(ManagerMessage.Request(ManagerOp.Open).U8((byte)kind).U32(tag).I64(capacity).Str(name))).I32();

    /// <summary>Where the server listens (for messages and IpcManager.Address).</summary>
    IpcAddress Address { get; }
}
