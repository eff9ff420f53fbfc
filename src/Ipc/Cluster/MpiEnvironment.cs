namespace NativeIpc.Cluster;

/// <summary>Whether a launcher started this process as an MPI rank, read from the variables launchers set, before
/// MPI is initialized (an MPI library started without one would make a lone "singleton" rank instead).</summary>
internal static class MpiEnvironment
{
    /// <summary>Set by MPICH's Hydra (<c>mpiexec</c>) and by Slurm's <c>srun --mpi=pmi2</c> (PMI), or by PMIx launchers.</summary>
    private static readonly string[] PmiVariables = ["PMI_RANK", "PMI_FD", "PMI_PORT", "PMIX_RANK"];

    /// <summary>True when a PMI or PMIx launcher started this process.</summary>
    public static bool IsLaunched => PmiVariables.Any(v => Environment.GetEnvironmentVariable(v) is not null);

    /// <summary>True when Open MPI's <c>mpiexec</c> started it (an ABI ClusterPool does not speak).</summary>
    public static bool IsOpenMpiLaunch => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;
}
