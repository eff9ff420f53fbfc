namespace NativeIpc.Memory;

/// <summary>The optional lock of a <see cref="SharedValue{T}"/> or <see cref="SharedArray{T}"/> (Python's
/// <c>lock=True</c> / <c>get_lock()</c>): an <see cref="IpcRLock"/> whose segment is named after the object's,
/// created with it by its creator, so any process that attaches by name finds the same lock.</summary>
internal static class CompanionLock
{
    private const string Suffix = ".lock";

    public static IpcRLock Create(string ownerName) => IpcRLock.CreateNamed(ownerName + Suffix);

    /// <summary>The owner's lock, or null if it was created without one.</summary>
    public static IpcRLock? TryAttach(string ownerName)
    {
        try { return IpcRLock.Attach(ownerName + Suffix); }
        catch (FileNotFoundException) { return null; }
    }

    public static InvalidOperationException Missing(string what)
        => new($"This {what} was created without a lock. Create it with withLock: true (Python: lock=True), or use its atomic members.");
}
