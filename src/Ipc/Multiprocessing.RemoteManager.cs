namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Serves a manager on <paramref name="address"/> for processes that are not children of this one (see
    /// <see cref="IpcManager.Serve"/>); they connect with <see cref="IpcManager.Connect"/>.</summary>
    /// <remarks>Python: multiprocessing.managers.SyncManager(address, authkey).start()</remarks>
    public static IpcManager Manager(IpcAddress address, byte[]? authKey, ListenerOptions? options = null) => IpcManager.Serve(address, authKey, options);
}
