namespace NativeIpc.Os;

/// <summary>Platform seam for process liveness: every process holds a kernel object named by its owner id for as
/// long as it lives, and the kernel lets go of it when the process dies, however it dies. Any process that shares
/// the namespace of those names can test it, whatever its pid namespace; a recycled pid means nothing here.</summary>
internal interface IProcessLiveness
{
    /// <summary>Claims an owner id for this process: adopts the one its parent reserved (<paramref name="inherited"/>,
    /// the value of <see cref="ProcessLiveness.InheritedVariable"/>), or makes a new one.</summary>
    int Claim(string? inherited);

    /// <summary>True unless the owner is certainly dead (no such id, or its kernel object is let go). An id that
    /// cannot be tested (another user's, no permission) counts as alive.</summary>
    bool IsAlive(int owner);

    /// <summary>Reserves an owner id for a child about to be spawned: the returned handle keeps the id alive and is
    /// inherited by the child (which then keeps it alive alone once the parent disposes its copy).</summary>
    ReservedOwner Reserve();

    /// <summary>Removes what is left of a dead owner's record (its kernel object's name); no-op if it is alive.</summary>
    void Forget(int owner);

    /// <summary>Removes this process's own record at a normal exit (after a crash <see cref="SweepDead"/> does).</summary>
    void RemoveOwn(int owner);

    /// <summary>Removes the records of every dead owner (crashed processes nobody reaped).</summary>
    void SweepDead();
}

/// <summary>An owner id reserved for a child, and the OS handle that keeps it alive until the child holds it.</summary>
internal sealed record ReservedOwner(int Owner, System.Runtime.InteropServices.SafeHandle Handle) : IDisposable
{
    /// <summary>Closes this process's copy of the handle (after the child inherited it, or when the spawn failed).</summary>
    public void Dispose() => Handle.Dispose();
}
