namespace NativeIpc.Memory;

/// <summary>The start-up sweep: removes generated segments whose creator (named in the segment's name, see
/// <see cref="SegmentNames"/>) is certainly gone. The provider only lists and unlinks; which names are dead
/// creators' is decided here, by <see cref="ProcessLiveness"/>.</summary>
internal static class SegmentSweep
{
    private static readonly HashSet<int> s_swept = [];
    private static int s_subscribed;

    /// <summary>From now on, removes a dead owner's generated segments as soon as any check in this process finds it
    /// dead (once per owner, off the caller's thread).</summary>
    public static void FollowDeaths(ISharedMemoryProvider provider)
    {
        if (Interlocked.Exchange(ref s_subscribed, 1) != 0) return;
        ProcessLiveness.DeadOwnerObserved += owner =>
        {
            lock (s_swept) if (!s_swept.Add(owner)) return;
            ThreadPool.UnsafeQueueUserWorkItem(static s => RemoveOwnerLeftovers(s.provider, s.owner), (provider, owner), preferLocal: false);
        };
    }

    /// <summary>Removes the generated segments of <paramref name="owner"/> if it is dead.</summary>
    public static void RemoveOwnerLeftovers(ISharedMemoryProvider provider, int owner)
    {
        foreach (string name in provider.ListNames(SegmentNames.PrefixOf(owner)))
        {
            if (ProcessLiveness.IsAlive(owner)) return;
            try { provider.Unlink(name); }
            catch (IOException) { /* raced with another sweeper */ }
            catch (UnauthorizedAccessException) { /* another user's */ }
        }
        if (!ProcessLiveness.IsAlive(owner)) provider.CleanUpAfter(owner); // names it chose, and its tracker's state
    }

    public static void RemoveLeftovers(ISharedMemoryProvider provider)
    {
        foreach (string name in provider.ListNames(SegmentNames.Prefix))
        {
            if (SegmentNames.CreatorOwner(name) is not int owner || owner == ProcessLiveness.Self || ProcessLiveness.IsAlive(owner))
                continue;
            try { provider.Unlink(name); }
            catch (IOException) { /* raced with another sweeper */ }
            catch (UnauthorizedAccessException) { /* another user's: not ours to remove */ }
        }
        // Dead owners whose crash tracker died with them (pid 1 of a killed pid namespace) left their chosen names
        // and the tracker's marker directory behind.
        foreach (int owner in provider.TrackedOwners())
            if (owner != ProcessLiveness.Self && !ProcessLiveness.IsAlive(owner)) provider.CleanUpAfter(owner);
    }
}
