namespace NativeIpc.Manager;

/// <summary>How a remote manager's proxies reach its server: over the network (<see cref="ManagerClient"/>) or, in
/// the serving process, by a direct call (<see cref="LocalManagerLink"/>). One request in, one reply out.</summary>
internal interface IManagerLink : IDisposable
{
    /// <summary>Sends <paramref name="request"/> and returns the reply after its status, which is checked: an error
    /// status throws the matching exception.</summary>
    byte[] Call(ManagerMessage request);

    /// <summary>Where the server listens (for messages and IpcManager.Address).</summary>
    IpcAddress Address { get; }
}
