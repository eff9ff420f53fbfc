using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Cluster;

/// <summary>ClusterPool in a program no MPI launcher started: a clear exception, whether or not MPI is installed.</summary>
[TestFixture]
public sealed class ClusterPoolWithoutMpiTests : ChildProcessFixture
{
    [Test, Platform("Linux", Reason = "runs the ClusterApp helper program, which the Windows leg does not publish (ClusterPool runs on MPICH, Linux)")]
    public void Constructor_NotUnderMpiexec_ThrowsIpcMpiExceptionNamingMpiexec()
    {
        var psi = new ProcessStartInfo(MpiJob.App, "not-under-mpi") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var v in new[] { "PMI_RANK", "PMI_FD", "PMI_PORT", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE" }) psi.Environment.Remove(v);
        var p = Track(System.Diagnostics.Process.Start(psi)!);
        var outcome = MpiJob.Finish(p, ChildTimeout);
        Assert.That(outcome, Is.Not.Null, "the program did not end");
        var (code, output) = outcome!.Value;
        Assert.That(output, Does.Contain("ok not-under-mpi").And.Contain("mpiexec -n 4"), output);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public void IsUnderMpi_InTheTestRunner_IsFalse()
        => Assert.That(ClusterPool.IsUnderMpi, Is.EqualTo(Environment.GetEnvironmentVariable("PMI_RANK") is not null));
}
