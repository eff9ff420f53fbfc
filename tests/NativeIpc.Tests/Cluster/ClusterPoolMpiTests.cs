using NUnit.Framework;

namespace NativeIpc.Tests.Cluster;

/// <summary>ClusterPool under real MPI jobs on this host: 3 ranks (rank 0 and two workers), once over MPICH's shared
/// memory and once over TCP only, which is what crossing hosts exercises. Skipped when MPICH is not installed
/// (CI's leg 50-mpi installs it).</summary>
[TestFixture, Category("Mpi"), NonParallelizable]
public sealed class ClusterPoolMpiTests : ChildProcessFixture
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(180);

    [SetUp]
    public void RequireMpich()
    {
        if (MpiJob.Launcher is null) Assert.Ignore("MPICH (mpiexec.mpich) is not installed: apt-get install mpich");
    }

    private (int ExitCode, string Output) Run(int ranks, MpiJob.Transport transport, params string[] args)
        => Run(ranks, transport, [], args);

    private (int ExitCode, string Output) Run(int ranks, MpiJob.Transport transport, (string, string)[] environment, params string[] args)
    {
        var job = Track(MpiJob.Start(ranks, transport, environment, args));
        var outcome = MpiJob.Finish(job, JobTimeout);
        if (outcome is null) Assert.Fail($"mpiexec -n {ranks} ClusterApp {string.Join(' ', args)} did not end within {JobTimeout.TotalSeconds} s");
        return outcome!.Value;
    }

    [TestCase(MpiJob.Transport.SharedMemory)]
    [TestCase(MpiJob.Transport.TcpOnly)]
    public void Pool_UnderMpiexecWithThreeRanks_RunsTheWholeSurface(MpiJob.Transport transport)
    {
        var (code, output) = Run(3, transport, "basic");
        Assert.That(output, Does.Not.Contain("FAIL"), output);
        Assert.That(output, Does.Contain("rank0 workers=2"), output);
        // Doorbells where MPI shares memory between the ranks; none over TCP only (as between hosts): polling alone.
        Assert.That(output, Does.Contain(transport == MpiJob.Transport.SharedMemory ? "; 2 of 2 workers ring" : "; 0 of 2 workers ring"), output);
        foreach (var check in new[] { "map-ordered", "map-chunk1", "load-spread", "imap-ordered", "imap-unordered", "starmap", "apply",
                     "apply-async", "map-async", "large-message", "remote-exception", "null-reference", "after-exception", "capturing-lambda-refused",
                     "cancel", "join", "closed-refuses", "second-pool", "raw-long", "raw-double", "raw-byte", "raw-struct", "raw-to-string",
                     "nullable", "own-serializer", "raw-imap-unordered", "raw-empty" })
            Assert.That(output, Does.Contain($"ok {check}\n"), output);
        Assert.That(output, Does.Contain("\ndone\n"), output);
        // Over TCP, MPICH 4.0.2 (ch4:ucx) sometimes hangs ~60 s in MPI_Finalize after every result was delivered and
        // the job then ends with exit code 9: pinned by Job_TcpOnly_EndsCleanly (explicit until fixed).
        if (transport == MpiJob.Transport.SharedMemory) Assert.That(code, Is.Zero, output);
    }

    /// <summary>Known defect, not fixed: over TCP only, about half the jobs on this 2-vCPU VM end ~60 s late with
    /// exit code 9 (one rank still closing connections in MPI_Finalize while its peers left it for the PMI barrier).</summary>
    [Test, Explicit("Known defect with MPICH 4.0.2 ch4:ucx over TCP: MPI_Finalize sometimes hangs ~60 s, exit code 9")]
    public void Job_TcpOnly_EndsCleanly()
    {
        for (int i = 0; i < 5; i++)
        {
            var started = DateTime.UtcNow;
            var (code, output) = Run(3, MpiJob.Transport.TcpOnly, "throughput", "2000");
            Assert.That(code, Is.Zero, output);
            Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(30)), output);
        }
    }

    /// <summary>Regression: with one chunk queued behind two busy workers, rank 0's MPI thread waited on a condition its
    /// dispatch then declined, and spun a core until a worker was free (taken from the workers on a full node).</summary>
    [Test]
    public void Rank0_WhileWorkersRunLongTasks_TakesAlmostNoCpu()
    {
        var (code, output) = Run(3, MpiJob.Transport.SharedMemory, "rank0-idle");
        Assert.That(output, Does.Not.Contain("FAIL"), output);
        Assert.That(output, Does.Contain("ok rank0-results").And.Contain("ok rank0-idle cpu"), output);
        Assert.That(code, Is.Zero, output);
    }

    /// <summary>Ranks of one node ring each other's doorbell after sending: with the spins off every wait is a sleep,
    /// and a round trip to sleeping ranks takes a fraction of a poll slice (2.5-3.9 ms when a sleeping rank only polled
    /// MPI: a worker's 1 ms slice plus rank 0's up to 4 ms; 0.35-0.45 ms with doorbells, loaded 2-vCPU VM).</summary>
    [Test]
    public void Apply_ToSleepingWorkers_IsNotDelayedByThePollSlice()
    {
        var (code, output) = Run(3, MpiJob.Transport.SharedMemory, [("NATIVEIPC_CLUSTER_SPIN", "0"), ("NATIVEIPC_CLUSTER_RUNG_SPIN", "0")], "wake-latency");
        Assert.That(output, Does.Contain("2 of 2 workers ring"), output);
        Assert.That(output, Does.Not.Contain("FAIL"), output);
        Assert.That(output, Does.Contain("ok wake-latency"), output);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public void Pool_WithFourRanks_SpreadsOverThreeWorkers()
    {
        var (code, output) = Run(4, MpiJob.Transport.SharedMemory, "basic");
        Assert.That(output, Does.Contain("rank0 workers=3"), output);
        Assert.That(output, Does.Contain("ok load-spread\n"), output);
        Assert.That(code, Is.Zero, output);
    }

    /// <summary>MPI ends the whole job when a rank dies: mpiexec names the dead rank and exits non-zero; rank 0's
    /// pending map never returns a partial result and nothing hangs.</summary>
    [TestCase(MpiJob.Transport.SharedMemory)]
    [TestCase(MpiJob.Transport.TcpOnly)]
    public void Pool_WhenAWorkerRankIsKilled_TheJobAbortsWithAMessage(MpiJob.Transport transport)
    {
        var (code, output) = Run(3, transport, "kill-worker");
        Assert.That(output, Does.Contain("ok before-kill"), output);
        Assert.That(output, Does.Not.Contain("FAIL kill-worker"), output);
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("BAD TERMINATION").Or.Contain("ok worker-lost"), output);
    }

    [Test]
    public void Pool_WithOneRank_ThrowsNeedsTwoRanks()
    {
        var (code, output) = Run(1, MpiJob.Transport.SharedMemory, "basic");
        Assert.That(output, Does.Contain("IpcMpiException").And.Contain("at least 2 MPI ranks"), output);
        Assert.That(code, Is.Not.Zero, output);
    }
}
