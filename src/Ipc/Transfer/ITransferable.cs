namespace NativeIpc.Transfer;

/// <summary>The contract for NativeIpc objects passed to a child process: they travel as a handle (a segment name,
/// an inherited descriptor), never by value. The implementing type also declares
/// <c>internal static TSelf ReadTransfer(BinaryReader reader)</c> and registers it with
/// <see cref="TransferRegistry"/> from its static constructor; the child calls it to attach.</summary>
internal interface ITransferable
{
    /// <summary>Writes what a child needs to attach to the same OS object.</summary>
    void WriteTransfer(BinaryWriter writer);

    /// <summary>Called in the parent right after the child that received this object was spawned, before
    /// <see cref="IpcProcess.Start()"/> returns: lets an object count the child as a holder from that moment, so the
    /// parent may drop its own hold at once without the object looking abandoned while the child starts.</summary>
    void OnSentToChild(int childOwner) { }
}
