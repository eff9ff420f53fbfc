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

    /// <summary>Writes, after the owner's name, whether a lock other than the companion travels with the owner, and
    /// that lock (a child cannot find it by the owner's name).</summary>
    public static void WriteTransfer(BinaryWriter writer, bool travels, IpcRLock? @lock)
    {
        writer.Write(travels);
        if (travels) @lock!.WriteTransfer(writer);
    }

    /// <summary>Reads what <see cref="WriteTransfer"/> wrote: the travelling lock replaces the companion
    /// <paramref name="lock"/> the attach found (disposed: this process's view of the parent's lock is ours to unmap),
    /// and <paramref name="travels"/> is set so it is passed on to our own children.</summary>
    public static void ReadTransfer(BinaryReader reader, ref bool travels, ref IpcRLock? @lock)
    {
        if (!reader.ReadBoolean()) return;
        @lock?.Dispose();
        @lock = IpcRLock.ReadTransfer(reader);
        travels = true;
    }

    public static InvalidOperationException Missing(string what)
        => new($"This {what} was created without a lock. Create it with withLock: true (Python: lock=True), or use its atomic members.");
}
