namespace NativeIpc.Cluster.Mpich;

/// <summary>The MPICH ABI's constants (mpi.h of MPICH 3.1 and later, shared by Intel MPI, Cray MPICH and MVAPICH:
/// the "MPICH ABI compatibility initiative"). Handles are ints; these are their fixed values.</summary>
internal static class MpichAbi
{
    public const int MPI_SUCCESS = 0;
    public const int MPI_COMM_WORLD = 0x44000000;
    public const int MPI_BYTE = 0x4c00010d;
    public const int MPI_ANY_SOURCE = -2;
    public const int MPI_ANY_TAG = -1;
    public const int MPI_ERRORS_RETURN = 0x54000001;
    public const int MPI_REQUEST_NULL = 0x2c000000;
    public const int MPI_INFO_NULL = 0x1c000000;
    public const int MPI_COMM_TYPE_SHARED = 1;
    public const int MPI_THREAD_SINGLE = 0;
    public const int MPI_THREAD_FUNNELED = 1;
    public const int MPI_MAX_ERROR_STRING = 512;
    public const int MPI_MAX_PROCESSOR_NAME = 128;
    public const int MPI_MAX_LIBRARY_VERSION_STRING = 8192;

    /// <summary>The shared library names of the MPICH ABI, in the order tried: Debian's MPICH, then the ABI's
    /// common name (Intel MPI, Cray MPICH, MVAPICH, MPICH built from source).</summary>
    public static readonly string[] LibraryNames = ["libmpich.so.12", "libmpi.so.12"];
}
