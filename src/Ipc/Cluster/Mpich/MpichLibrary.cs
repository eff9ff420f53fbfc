using System.Runtime.InteropServices;

namespace NativeIpc.Cluster.Mpich;

/// <summary>The MPI functions ClusterPool calls, bound by name from an MPICH-ABI library loaded at run time. Function
/// pointers rather than <c>[LibraryImport]</c>: the library's name differs between distributions (see
/// <see cref="MpichAbi.LibraryNames"/>, or <c>NATIVEIPC_MPI_LIBRARY</c>), and an assembly-wide import resolver
/// would be one more global for the whole NativeIpc assembly. Signatures exactly as mpi.h declares them.</summary>
internal sealed unsafe class MpichLibrary
{
    /// <summary>Names the MPI library to load instead of the defaults (a file name or path).</summary>
    public const string LibraryVariable = "NATIVEIPC_MPI_LIBRARY";

    public readonly delegate* unmanaged<int*, byte***, int, int*, int> MPI_Init_thread;
    public readonly delegate* unmanaged<int*, int> MPI_Initialized;
    public readonly delegate* unmanaged<int*, int> MPI_Finalized;
    public readonly delegate* unmanaged<int> MPI_Finalize;
    public readonly delegate* unmanaged<int, int, int> MPI_Abort;
    public readonly delegate* unmanaged<int, int*, int> MPI_Comm_rank;
    public readonly delegate* unmanaged<int, int*, int> MPI_Comm_size;
    public readonly delegate* unmanaged<int, int, int> MPI_Comm_set_errhandler;
    public readonly delegate* unmanaged<void*, int, int, int, int, int, int*, int> MPI_Isend;
    public readonly delegate* unmanaged<int*, int*, MpichStatus*, int> MPI_Test;
    public readonly delegate* unmanaged<int, int, int, int*, MpichStatus*, int> MPI_Iprobe;
    public readonly delegate* unmanaged<MpichStatus*, int, int*, int> MPI_Get_count;
    public readonly delegate* unmanaged<void*, int, int, int, int, int, MpichStatus*, int> MPI_Recv;
    public readonly delegate* unmanaged<int, byte*, int*, int> MPI_Error_string;
    public readonly delegate* unmanaged<byte*, int*, int> MPI_Get_processor_name;
    public readonly delegate* unmanaged<byte*, int*, int> MPI_Get_library_version;
    public readonly delegate* unmanaged<int, int, int, int, int*, int> MPI_Comm_split_type;
    public readonly delegate* unmanaged<int, int> MPI_Barrier;
    public readonly delegate* unmanaged<nint, int, int, int, void**, int*, int> MPI_Win_allocate_shared;
    public readonly delegate* unmanaged<int, int, nint*, int*, void**, int> MPI_Win_shared_query;

    /// <summary>The path or name the library was loaded from.</summary>
    public string LoadedFrom { get; }

    private MpichLibrary(nint handle, string loadedFrom)
    {
        LoadedFrom = loadedFrom;
        MPI_Init_thread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export(handle, "MPI_Init_thread");
        MPI_Initialized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Initialized");
        MPI_Finalized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Finalized");
        MPI_Finalize = (delegate* unmanaged<int>)Export(handle, "MPI_Finalize");
        MPI_Abort = (delegate* unmanaged<int, int, int>)Export(handle, "MPI_Abort");
        MPI_Comm_rank = (delegate* unmanaged<int, int*, int>)Export(handle, "MPI_Comm_rank");
        MPI_Comm_size = (delegate* unmanaged<int, int*, int>)Export(handle, "MPI_Comm_size");
        MPI_Comm_set_errhandler = (delegate* unmanaged<int, int, int>)Export(handle, "MPI_Comm_set_errhandler");
        MPI_Isend = (delegate* unmanaged<void*, int, int, int, int, int, int*, int>)Export(handle, "MPI_Isend");
        MPI_Test = (delegate* unmanaged<int*, int*, MpichStatus*, int>)Export(handle, "MPI_Test");
        MPI_Iprobe = (delegate* unmanaged<int, int, int, int*, MpichStatus*, int>)Export(handle, "MPI_Iprobe");
        MPI_Get_count = (delegate* unmanaged<MpichStatus*, int, int*, int>)Export(handle, "MPI_Get_count");
        MPI_Recv = (delegate* unmanaged<void*, int, int, int, int, int, MpichStatus*, int>)Export(handle, "MPI_Recv");
        MPI_Error_string = (delegate* unmanaged<int, byte*, int*, int>)Export(handle, "MPI_Error_string");
        MPI_Get_processor_name = (delegate* unmanaged<byte*, int*, int>)Export(handle, "MPI_Get_processor_name");
        MPI_Get_library_version = (delegate* unmanaged<byte*, int*, int>)Export(handle, "MPI_Get_library_version");
        MPI_Comm_split_type = (delegate* unmanaged<int, int, int, int, int*, int>)Export(handle, "MPI_Comm_split_type");
        MPI_Barrier = (delegate* unmanaged<int, int>)Export(handle, "MPI_Barrier");
        MPI_Win_allocate_shared = (delegate* unmanaged<nint, int, int, int, void**, int*, int>)Export(handle, "MPI_Win_allocate_shared");
        MPI_Win_shared_query = (delegate* unmanaged<int, int, nint*, int*, void**, int>)Export(handle, "MPI_Win_shared_query");
    }

    /// <summary>Loads the library; null (and the names tried, in <paramref name="tried"/>) when none loads.</summary>
    public static MpichLibrary? TryLoad(out string tried)
    {
        string[] names = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } chosen ? [chosen] : MpichAbi.LibraryNames;
        tried = string.Join(", ", names);
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out nint handle)) return new MpichLibrary(handle, name);
        return null;
    }

    private static nint Export(nint handle, string name)
        => NativeLibrary.TryGetExport(handle, name, out nint f) ? f
            : throw new IpcMpiException($"The MPI library has no '{name}': it is not an MPI library of the MPICH ABI.");
}
