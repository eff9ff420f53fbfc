namespace NativeIpc;

/// <summary>MPI is not there or failed: the program was not started by <c>mpiexec</c> (or <c>srun</c>) with at least
/// two ranks, no MPI library of the MPICH ABI could be loaded, or an MPI call returned an error (its message is
/// MPI's own).</summary>
public sealed class IpcMpiException : IpcException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, and what to do about it.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public IpcMpiException(string message, Exception? inner = null) : base(message, inner) { }
}
