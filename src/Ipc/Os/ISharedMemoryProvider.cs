namespace NativeIpc.Os;

/// <summary>Platform seam for named shared memory: POSIX shm objects on Unix, named file mappings on Windows.
/// Providers know names, sizes and mappings only: what a segment holds (its header) and which leftovers are dead
/// creators' are decided above the seam (<c>Memory/SegmentHeader</c>, <c>Memory/SegmentSweep</c>).</summary>
internal interface ISharedMemoryProvider
{
    /// <summary>Longest name accepted (without the platform's prefix).</summary>
    int MaxNameLength { get; }

    /// <summary>Creates a new object of exactly <paramref name="size"/> bytes, pages reserved, owner-only, and maps it.
    /// Fails if the name exists.</summary>
    ISharedMapping Create(string name, long size);

    /// <summary>Maps an existing object as it is now. Throws <see cref="FileNotFoundException"/> if there is none by that
    /// name. The mapping's length is at least the size its creator asked for (Windows rounds up to whole pages), or 0
    /// while the creator has not sized it yet (Unix creates a name empty, then sizes it).</summary>
    ISharedMapping Open(string name);

    /// <summary>Removes the name (existing mappings stay valid). False if it did not exist. No-op where the OS
    /// reference-counts names (Windows).</summary>
    bool Unlink(string name);

    /// <summary>Makes sure names created by this process with <paramref name="prefix"/> are removed if it dies
    /// without removing them (crash, SIGKILL). Called once per process before its first create.</summary>
    void TrackCrashCleanup(string prefix);

    /// <summary>Adds <paramref name="name"/>, a name chosen by the user (so not matching the tracked prefix), to what
    /// the crash cleanup removes. Call after creating it; <see cref="TrackCrashCleanup"/> must have run.</summary>
    void TrackName(string name);

    /// <summary>Takes back <see cref="TrackName"/> once the name is removed, so a crash later cannot remove a
    /// segment someone else has since created under the same name.</summary>
    void UntrackName(string name);

    /// <summary>Names of existing objects that start with <paramref name="prefix"/> (any creator, this user's or
    /// not). Empty where names cannot outlive their users (Windows).</summary>
    IEnumerable<string> ListNames(string prefix);

    /// <summary>Owner ids that have crash-cleanup state here (a tracker's marker directory on Unix).</summary>
    IEnumerable<int> TrackedOwners();

    /// <summary>Does what the crash tracker of <paramref name="owner"/> would have done, for an owner known to be dead
    /// whose tracker died with it (pid 1 of a killed pid namespace): removes the names it marked, then its state.</summary>
    void CleanUpAfter(int owner);
}
