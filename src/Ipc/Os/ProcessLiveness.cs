namespace NativeIpc.Os;

/// <summary>The liveness building block: what every primitive stores in shared memory as "the owning process" (lock
/// words, queue claims and records, pipe and queue holders, barrier, segment creators), and whether that owner is
/// still alive. An owner id is not a pid: it is a random 30-bit id backed by a kernel object the process holds for
/// its whole life (<see cref="IProcessLiveness"/>), so the answer is right across pid reuse and pid namespaces
/// (containers sharing /dev/shm), and the holder of a stored id is dead exactly when the kernel says so.</summary>
internal static class ProcessLiveness
{
    /// <summary>Largest owner id: ids fit in 30 bits so a word can keep two flag bits beside one.</summary>
    public const int OwnerMask = 0x3FFF_FFFF;

    /// <summary>Environment variable by which a parent hands a child the owner id it reserved for it.</summary>
    public const string InheritedVariable = "NATIVEIPC_LIVENESS";

    private static readonly IProcessLiveness s_os = OsLayer.Liveness;
    private static readonly Lazy<int> s_self = new(ClaimSelf, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int s_cached; // s_self once claimed: one plain load on the hot paths that store it

    /// <summary>This process's owner id: nonzero, at most <see cref="OwnerMask"/>.</summary>
    public static int Self
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get
        {
            int self = s_cached;
            return self != 0 ? self : s_cached = s_self.Value;
        }
    }

    /// <summary>False only when the process that stored <paramref name="owner"/> is certainly gone; 0 (no owner) is
    /// not alive.</summary>
    public static bool IsAlive(int owner)
    {
        if (owner <= 0) return false;
        if (owner == Self || s_os.IsAlive(owner)) return true;
        if (DeadOwnerObserved is { } observed) observed(owner);
        return false;
    }

    /// <summary>Raised (on the caller's thread, so handlers must be cheap) each time a check finds an owner dead:
    /// what such an owner left behind can then be removed at once, even when its own crash cleanup died with it
    /// (the pid 1 of a killed pid namespace takes its tracker along).</summary>
    public static event Action<int>? DeadOwnerObserved;

    /// <summary>Reserves the owner id of a child about to be spawned (pass its handle to the launcher).</summary>
    public static ReservedOwner Reserve() => s_os.Reserve();

    /// <summary>Removes the record of an owner known to be dead (a reaped child).</summary>
    public static void Forget(int owner) => s_os.Forget(owner);

    private static int ClaimSelf()
    {
        string? inherited = Environment.GetEnvironmentVariable(InheritedVariable);
        if (inherited is not null) ProcessEnvironment.Set(InheritedVariable, null); // both copies: programs we start get their own
        int self = s_os.Claim(inherited);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => s_os.RemoveOwn(self);
        // Records of processes that crashed without a reaper: cheap, and off the caller's path. Not in a child handed
        // its id: its parent swept when it claimed its own, and a child's start should not share 2 CPUs with a sweep.
        if (inherited is null) ThreadPool.UnsafeQueueUserWorkItem(static os => os.SweepDead(), s_os, preferLocal: false);
        return self;
    }
}
