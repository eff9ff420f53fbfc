using System.Security.Cryptography;

namespace NativeIpc.Manager;

/// <summary>The serving process's own way to its manager's objects: the server's handler, called directly.</summary>
internal sealed class LocalManagerLink(ManagerServer server, IpcAddress address) : IManagerLink
{
    private readonly long _session = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) | 1;

    public IpcAddress Address => address;

    public byte[] Call(ManagerMessage request)
        => ManagerReplies.Check(server.HandleAsync(_session, request.Written.ToArray(), CancellationToken.None).AsTask().GetAwaiter().GetResult());

    public void Dispose() { }
}
