namespace NativeIpc.Manager;

/// <summary>What a client process may do with its cached copy of a remote snapshot without asking the server.</summary>
internal enum LeaseState : byte
{
    /// <summary>Nothing: the next read or write asks the server.</summary>
    None,
    /// <summary>Read it: the server revokes the lease (and waits for our acknowledgement) before anyone changes it.</summary>
    Shared,
    /// <summary>Read and change it: no other process holds a lease; changes go to the server as deltas, unanswered.</summary>
    Exclusive,
}
