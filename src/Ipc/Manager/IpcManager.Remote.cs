namespace NativeIpc;

// A manager served on a Listener address, and one connected to it from another process (or machine). Local managers
// (no address) keep the shared-memory collections; these go through the server.
public sealed partial class IpcManager
{
    private readonly IManagerLink? _link;

    private IpcManager(IManagerLink link, long capacityBytes) : this(capacityBytes)
    {
        _link = link;
        _owned.Add(link);
    }

    /// <summary>Serves a manager on <paramref name="address"/>: processes that are not children of this one — on
    /// other machines too, over TCP — reach its objects with <see cref="Connect"/> and the same
    /// <paramref name="authKey"/>. This process uses them directly (no socket). Disposing stops the server: every
    /// client's next call, and any call waiting on the server, throws <see cref="IpcPipeClosedException"/>.</summary>
    /// <param name="address">Where to listen (TCP port 0 picks one: read <see cref="Address"/>).</param>
    /// <param name="authKey">The key every client must prove (see <see cref="Listener"/>); required for TCP unless
    /// <see cref="ListenerOptions.TrustedNetwork"/>.</param>
    /// <param name="options">Listener options (TLS, limits).</param>
    /// <param name="capacityBytes">Default capacity of the collections it serves.</param>
    /// <remarks>Python: BaseManager(address, authkey).get_server().serve_forever() / SyncManager(address, authkey).start()</remarks>
    public static IpcManager Serve(IpcAddress address, byte[]? authKey, ListenerOptions? options = null, long capacityBytes = DefaultCapacityBytes)
    {
        var listener = new Listener(address, authKey, options);
        var server = new ManagerServer(listener);
        var manager = new IpcManager(new LocalManagerLink(server, listener.Address), capacityBytes);
        manager._owned.Add(server);
        return manager;
    }

    /// <summary>Connects to a manager another process serves (<see cref="Serve"/>).</summary>
    /// <param name="address">The server's address.</param>
    /// <param name="authKey">The server's key.</param>
    /// <param name="timeout">Bounds each connect.</param>
    /// <param name="options">Client options (TLS, limits).</param>
    /// <exception cref="IpcAuthenticationException">The keys differ.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">Nobody serves there.</exception>
    /// <remarks>Python: BaseManager(address, authkey).connect()</remarks>
    public static IpcManager Connect(IpcAddress address, byte[]? authKey, TimeSpan? timeout = null, ClientOptions? options = null)
        => new(new ManagerClient(address, authKey, timeout, options), DefaultCapacityBytes);

    /// <summary>How this manager reaches its server (tests look at its lease channel); null for a local manager.</summary>
    internal IManagerLink? RemoteLink => _link;

    /// <summary>Where this manager is served; null for a local manager.</summary>
    /// <remarks>Python: BaseManager.address</remarks>
    public IpcAddress? Address => _link?.Address;

    /// <summary>Opens the dictionary called <paramref name="name"/> on this served or connected manager, creating it
    /// empty if no process has yet. Every process that opens the name shares it; batch calls (<c>Update</c>,
    /// <c>ToDictionary</c>) are one round trip.</summary>
    /// <exception cref="IpcSegmentMismatchException">The name holds another kind of object or other types.</exception>
    /// <exception cref="InvalidOperationException">A local manager (names are for served managers).</exception>
    /// <remarks>Python: manager.dict() shared through a registered getter</remarks>
    public IpcDict<TKey, TValue> Dict<TKey, TValue>(string name, long? capacityBytes = null) where TKey : notnull
    {
        var link = Link();
        return new IpcDict<TKey, TValue>(decode => RemoteSnapshotStore<OrderedDictionary<TKey, TValue>>.Open(
            link, ManagerObjectKind.Dict, IpcDict<TKey, TValue>.TypeTag, name, capacityBytes ?? CapacityBytes, decode));
    }

    /// <summary>Opens the list called <paramref name="name"/> (see <see cref="Dict{TKey,TValue}(string, long?)"/>).</summary>
    /// <remarks>Python: manager.list()</remarks>
    public IpcList<T> List<T>(string name, long? capacityBytes = null)
    {
        var link = Link();
        return new IpcList<T>(decode => RemoteSnapshotStore<List<T>>.Open(
            link, ManagerObjectKind.List, IpcList<T>.TypeTag, name, capacityBytes ?? CapacityBytes, decode));
    }

    /// <summary>A namespace of named fields: on a local manager a new shared one (pass its manager's dictionary…
    /// it lives in shared memory); use <see cref="Namespace(string)"/> on a served manager to share it by name.</summary>
    /// <remarks>Python: manager.Namespace()</remarks>
    public IpcNamespace Namespace() => new(Dict<string, byte[]>());

    /// <summary>Opens the namespace called <paramref name="name"/> on this served or connected manager.</summary>
    /// <remarks>Python: manager.Namespace()</remarks>
    public IpcNamespace Namespace(string name) => new(Dict<string, byte[]>("ns:" + name));

    /// <summary>Opens the queue called <paramref name="name"/> on this served or connected manager.</summary>
    /// <remarks>Python: manager.Queue()</remarks>
    public ManagedQueue<T> Queue<T>(string name) => new(Link(), name);

    /// <summary>Opens the lock called <paramref name="name"/> on this served or connected manager.</summary>
    /// <remarks>Python: manager.Lock()</remarks>
    public ManagedLock Lock(string name) => new(Link(), name);

    /// <summary>Opens the event called <paramref name="name"/> on this served or connected manager.</summary>
    /// <remarks>Python: manager.Event()</remarks>
    public ManagedEvent Event(string name) => new(Link(), name);

    /// <summary>Opens the value called <paramref name="name"/> on this served or connected manager, set to
    /// <paramref name="initial"/> by the first process that opens it.</summary>
    /// <remarks>Python: manager.Value(typecode, value)</remarks>
    public ManagedValue<T> Value<T>(string name, T initial) => new(Link(), name, initial, CapacityBytes);

    private IManagerLink Link()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _link ?? throw new InvalidOperationException("Named objects live on a served manager: create it with IpcManager.Serve(address, key) or Multiprocessing.Manager(address, key), or connect with IpcManager.Connect.");
    }

    private static string AnonymousName() => "anon:" + Guid.NewGuid().ToString("N");
}
