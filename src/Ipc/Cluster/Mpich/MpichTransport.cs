using System.Runtime.InteropServices;
using System.Text;
using static NativeIpc.Cluster.Mpich.MpichAbi;

namespace NativeIpc.Cluster.Mpich;

/// <summary><see cref="IMpiTransport"/> over an MPICH-ABI library. MPI errors return (<c>MPI_ERRORS_RETURN</c>) and
/// become <see cref="IpcMpiException"/>s carrying MPI's own message.</summary>
internal sealed unsafe class MpichTransport : IMpiTransport
{
    private const string UcxErrorSignals = "UCX_ERROR_SIGNALS";

    /// <summary>"0" turns the doorbells off (<see cref="IMpiTransport.Doorbell"/> is then null for every rank: ranks
    /// only poll MPI), for an MPI library whose shared windows misbehave, or to measure what they bring.</summary>
    public const string DoorbellsVariable = "NATIVEIPC_CLUSTER_DOORBELLS";

    private readonly MpichLibrary _mpi;
    private readonly int*[] _doorbells; // per world rank: its slot in the node's shared window, or null

    private MpichTransport(MpichLibrary mpi, int rank, int size, string description)
    {
        _mpi = mpi;
        Rank = rank;
        Size = size;
        Description = description;
        _doorbells = new int*[size];
    }

    public int Rank { get; }

    public int Size { get; }

    public string Description { get; }

    /// <summary>Loads the library and initializes MPI on the calling thread.</summary>
    /// <exception cref="IpcMpiException">No MPICH-ABI library could be loaded, or MPI failed to start.</exception>
    public static MpichTransport Initialize()
    {
        // UCX (MPICH's ch4:ucx transport) catches SIGSEGV/SIGBUS/SIGILL/SIGFPE by default, and .NET turns those signals
        // into NullReferenceException and friends: they must stay the runtime's, or a null dereference in a task kills
        // the rank. UCX reads its global options when its library loads, so this is set before MPI's library is loaded,
        // in the C environment.
        if (Environment.GetEnvironmentVariable(UcxErrorSignals) is null) Os.ProcessEnvironment.Set(UcxErrorSignals, "");
        var mpi = MpichLibrary.TryLoad(out string tried)
            ?? throw new IpcMpiException($"No MPI library of the MPICH ABI could be loaded (tried {tried}). Install MPICH " +
                "(Debian: apt-get install mpich) or name the library in NATIVEIPC_MPI_LIBRARY. Open MPI's ABI is not supported.");
        int initialized;
        mpi.MPI_Initialized(&initialized);
        if (initialized == 0)
        {
            int provided;
            Check(mpi, mpi.MPI_Init_thread(null, null, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
        }
        Check(mpi, mpi.MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
        int rank, size;
        Check(mpi, mpi.MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
        Check(mpi, mpi.MPI_Comm_size(MPI_COMM_WORLD, &size), "MPI_Comm_size");
        var transport = new MpichTransport(mpi, rank, size, $"{LibraryVersion(mpi)} ({mpi.LoadedFrom}) on {ProcessorName(mpi)}");
        // Every rank reads the same environment (mpiexec passes it on), so all or none take part in the collective calls.
        if (Environment.GetEnvironmentVariable(DoorbellsVariable) != "0") transport.ShareDoorbells();
        return transport;
    }

    /// <summary>Collective over every rank: the ranks of each node share a window of one doorbell slot each
    /// (<see cref="ClusterDoorbellLayout"/>) and learn whose slot is whose. Where the library shares no memory (TCP only:
    /// each rank is a node of its own) every rank sees only its own slot and polls MPI as before.</summary>
    private void ShareDoorbells()
    {
        int node, nodeRank, nodeSize, window;
        void* own;
        Check(_mpi, _mpi.MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
        Check(_mpi, _mpi.MPI_Comm_rank(node, &nodeRank), "MPI_Comm_rank");
        Check(_mpi, _mpi.MPI_Comm_size(node, &nodeSize), "MPI_Comm_size");
        Check(_mpi, _mpi.MPI_Win_allocate_shared(ClusterDoorbellLayout.SlotSize, 1, MPI_INFO_NULL, node, &own, &window), "MPI_Win_allocate_shared");
        new Span<byte>(own, ClusterDoorbellLayout.SlotSize).Clear();
        Volatile.Write(ref *(int*)((byte*)own + ClusterDoorbellLayout.WorldRankOffset), Rank);
        Check(_mpi, _mpi.MPI_Barrier(node), "MPI_Barrier"); // every slot is written before any is read
        for (int q = 0; q < nodeSize; q++)
        {
            nint bytes;
            int unit;
            void* slot;
            Check(_mpi, _mpi.MPI_Win_shared_query(window, q, &bytes, &unit, &slot), "MPI_Win_shared_query");
            if (slot == null || bytes < ClusterDoorbellLayout.SlotSize) continue;
            int world = Volatile.Read(ref *(int*)((byte*)slot + ClusterDoorbellLayout.WorldRankOffset));
            if (world >= 0 && world < Size) _doorbells[world] = (int*)((byte*)slot + ClusterDoorbellLayout.SequenceOffset);
        }
    }

    public int* Doorbell(int rank) => rank >= 0 && rank < _doorbells.Length ? _doorbells[rank] : null;

    public bool HasMessage(int source)
    {
        int flag;
        MpichStatus status;
        Check(_mpi, _mpi.MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
        return flag != 0;
    }

    /// <summary>Payloads from this size up are received into rented arrays when the caller asks (a chunk's result):
    /// one large-object allocation fewer per chunk, and fewer full collections on rank 0.</summary>
    private const int PooledFrom = 16 * 1024;

    public IMpiSend Post(int destination, int tag, byte[] message, int length, bool rented)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)message.Length, nameof(length));
        var pin = GCHandle.Alloc(message, GCHandleType.Pinned);
        int request;
        int rc = _mpi.MPI_Isend((void*)pin.AddrOfPinnedObject(), length, MPI_BYTE, destination, tag, MPI_COMM_WORLD, &request);
        if (rc != MPI_SUCCESS)
        {
            pin.Free();
            if (rented) System.Buffers.ArrayPool<byte>.Shared.Return(message);
            Check(_mpi, rc, "MPI_Isend");
        }
        return new PostedSend(this, request, pin, rented ? message : null);
    }

    public bool TryReceive(int source, out MpiMessage message, bool pooled = false)
    {
        message = default;
        int flag;
        MpichStatus status;
        Check(_mpi, _mpi.MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
        if (flag == 0) return false;
        int count;
        Check(_mpi, _mpi.MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
        bool rent = pooled && count >= PooledFrom;
        var payload = rent ? System.Buffers.ArrayPool<byte>.Shared.Rent(count) : GC.AllocateUninitializedArray<byte>(count);
        MpichStatus received;
        int rc;
        // The probed message is the next one from that source with that tag: nothing can take it first (one MPI thread).
        fixed (byte* p = payload)
            rc = _mpi.MPI_Recv(p, count, MPI_BYTE, status.Source, status.Tag, MPI_COMM_WORLD, &received);
        if (rc != MPI_SUCCESS && rent) System.Buffers.ArrayPool<byte>.Shared.Return(payload);
        Check(_mpi, rc, "MPI_Recv");
        message = new MpiMessage(status.Source, status.Tag, payload, count, rent);
        return true;
    }

    public void Shutdown()
    {
        int finalized;
        _mpi.MPI_Finalized(&finalized);
        // The doorbell window is not freed: rank 0's own doorbell is also what its threads ring when they submit work,
        // which may happen until the process is gone; MPI_Finalize releases it.
        if (finalized == 0) Check(_mpi, _mpi.MPI_Finalize(), "MPI_Finalize");
    }

    public void Abort(int errorCode) => _mpi.MPI_Abort(MPI_COMM_WORLD, errorCode);

    private static void Check(MpichLibrary mpi, int rc, string call)
    {
        if (rc != MPI_SUCCESS) throw new IpcMpiException($"{call} failed: {ErrorString(mpi, rc)} (MPI error {rc}).");
    }

    private static string ErrorString(MpichLibrary mpi, int code)
    {
        byte* text = stackalloc byte[MPI_MAX_ERROR_STRING + 1];
        int length = 0;
        return mpi.MPI_Error_string(code, text, &length) == MPI_SUCCESS ? Encoding.UTF8.GetString(text, Math.Clamp(length, 0, MPI_MAX_ERROR_STRING)) : "unknown error";
    }

    private static string ProcessorName(MpichLibrary mpi)
    {
        byte* name = stackalloc byte[MPI_MAX_PROCESSOR_NAME + 1];
        int length = 0;
        return mpi.MPI_Get_processor_name(name, &length) == MPI_SUCCESS ? Encoding.UTF8.GetString(name, Math.Clamp(length, 0, MPI_MAX_PROCESSOR_NAME)) : "?";
    }

    private static string LibraryVersion(MpichLibrary mpi)
    {
        var text = new byte[MPI_MAX_LIBRARY_VERSION_STRING + 1];
        int length = 0;
        fixed (byte* p = text)
            if (mpi.MPI_Get_library_version(p, &length) != MPI_SUCCESS) return "MPI";
        string version = Encoding.UTF8.GetString(text, 0, Math.Clamp(length, 0, MPI_MAX_LIBRARY_VERSION_STRING));
        return version.Split('\n')[0].Trim();
    }

    /// <summary>An <c>MPI_Isend</c> in flight: its buffer stays pinned until <c>MPI_Test</c> says it is done (a rented one
    /// is then given back).</summary>
    private sealed class PostedSend(MpichTransport transport, int request, GCHandle pin, byte[]? rented) : IMpiSend
    {
        private int _request = request;

        public bool Test()
        {
            if (_request == MPI_REQUEST_NULL) return true;
            int flag;
            MpichStatus status;
            int req = _request;
            Check(transport._mpi, transport._mpi.MPI_Test(&req, &flag, &status), "MPI_Test");
            if (flag == 0) return false;
            _request = MPI_REQUEST_NULL;
            pin.Free();
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            return true;
        }
    }
}
