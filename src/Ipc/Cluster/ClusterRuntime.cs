using NativeIpc.Cluster.Mpich;

namespace NativeIpc.Cluster;

/// <summary>This process's MPI: one thread, started by the first <see cref="ClusterPool"/> (or <see cref="ClusterPool.Rank"/>),
/// initializes MPI and makes every MPI call from then on. On rank 0 it runs the <see cref="ClusterDispatcher"/> until
/// the process exits; on every other rank it runs <see cref="ClusterWorker"/> until rank 0 says shutdown, then ends the
/// process.</summary>
internal sealed class ClusterRuntime
{
    private static readonly object s_gate = new();
    private static ClusterRuntime? s_instance;
    private static Exception? s_failure;

    private readonly ManualResetEventSlim _ready = new();
    private readonly Thread _thread;
    private Exception? _initFailure;
    private IMpiTransport? _mpi;

    /// <summary>The pool key: authenticates task targets to the workers (sent once to each, over MPI).</summary>
    public byte[] Key { get; } = PoolMessage.NewKey();

    public int Rank { get; private set; }

    public int Size { get; private set; }

    public string Description { get; private set; } = "";

    /// <summary>Rank 0's dispatcher (null on workers).</summary>
    public ClusterDispatcher? Dispatcher { get; private set; }

    private ClusterRuntime()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "ClusterPool MPI" };
    }

    /// <summary>The runtime, started (MPI initialized) on first use.</summary>
    /// <exception cref="IpcMpiException">Not under an MPI launcher, no MPI library, fewer than two ranks, or MPI failed.</exception>
    public static ClusterRuntime Get()
    {
        lock (s_gate)
        {
            if (s_instance is not null) return s_instance;
            if (s_failure is not null) throw new IpcMpiException(s_failure.Message, s_failure);
            if (!MpiEnvironment.IsLaunched)
                throw s_failure = new IpcMpiException(MpiEnvironment.IsOpenMpiLaunch
                    ? "ClusterPool speaks the MPICH ABI, but this program was started by Open MPI's mpiexec: start it with MPICH's (mpiexec.mpich on Debian)."
                    : "ClusterPool needs MPI: this program was not started by an MPI launcher. Start it as 'mpiexec -n 4 <program>' " +
                      "(MPICH's Hydra) or 'srun --mpi=pmi2 -n 4 <program>' under Slurm; rank 0 runs the program, the other ranks are its workers.");
            var runtime = new ClusterRuntime();
            runtime._thread.Start();
            runtime._ready.Wait();
            if (runtime._initFailure is { } e)
            {
                s_failure = e;
                throw new IpcMpiException(e.Message, e);
            }
            s_instance = runtime;
            if (runtime.Rank == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => runtime.Dispatcher!.Stop();
            return runtime;
        }
    }

    /// <summary>Blocks a worker rank's caller until its worker loop ends (the loop then ends the process).</summary>
    public void WaitForever()
    {
        _thread.Join();
        Thread.Sleep(Timeout.Infinite); // the worker thread calls Environment.Exit; never return into the program
    }

    private void Run()
    {
        try
        {
            _mpi = MpichTransport.Initialize();
            Rank = _mpi.Rank;
            Size = _mpi.Size;
            Description = _mpi.Description;
            if (Size < 2)
                throw new IpcMpiException($"ClusterPool needs at least 2 MPI ranks (rank 0 runs the program, the others are workers); " +
                    $"this job has {Size}. Start it with 'mpiexec -n 3' or more.");
            if (Rank == 0) Dispatcher = new ClusterDispatcher(_mpi, Key);
        }
        catch (Exception e)
        {
            _initFailure = e is IpcMpiException ? e : new IpcMpiException($"MPI could not be started: {e.Message}", e);
            _ready.Set();
            return;
        }
        _ready.Set();
        if (Rank == 0)
        {
            Dispatcher!.Run();
            return;
        }
        int code = 0;
        try { ClusterWorker.Serve(_mpi); }
        catch (Exception e)
        {
            Console.Error.WriteLine($"ClusterPool worker rank {Rank}: {e}");
            code = 1;
        }
        ClusterTrace.Write(Rank);
        try { _mpi.Shutdown(); }
        catch (IpcMpiException e) { Console.Error.WriteLine($"ClusterPool worker rank {Rank}: {e.Message}"); }
        Console.Out.Flush();
        Environment.Exit(code);
    }
}
