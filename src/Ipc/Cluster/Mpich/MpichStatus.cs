using System.Runtime.InteropServices;

namespace NativeIpc.Cluster.Mpich;

/// <summary>MPICH's <c>MPI_Status</c>: five ints.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MpichStatus
{
    public int CountLo;
    public int CountHiAndCancelled;
    public int Source;
    public int Tag;
    public int Error;
}
