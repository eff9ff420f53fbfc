namespace NativeIpc.Memory;

/// <summary>The start-up sweep: removes generated segments whose creator (named in the segment's name, see
/// <see cref="SegmentNames"/>) is certainly gone. The provider only lists and unlinks; which names are dead
/// creators' is decided here, by <see cref="ProcessLiveness"/>.</summary>
internal static class SegmentSweep
{
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
    }
}
