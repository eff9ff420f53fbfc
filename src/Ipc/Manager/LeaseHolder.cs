using System.Collections.Concurrent;

namespace NativeIpc.Manager;

/// <summary>The server's side of one client's lease connection: sends it revocations and replies, and completes a
/// revocation when the client acknowledges it — or when the connection ends, or, for a client that does not answer
/// within <see cref="RevokeTimeout"/>, by closing its connection (its process then sees the manager as gone).</summary>
internal sealed class LeaseHolder(Connection connection)
{
    /// <summary>How long a revocation waits for a live client's acknowledgement (its reader loop answers in
    /// microseconds; this bounds a stopped or hostile process).</summary>
    public static readonly TimeSpan RevokeTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<int, TaskCompletionSource> _revoking = new();
    private volatile bool _gone;

    public StreamChannel Channel => connection.Channel!;

    public bool IsGone => _gone;

    /// <summary>Revokes this client's lease on <paramref name="id"/> and waits until it is dropped (a snapshot's lease
    /// changes are serialized, so one revocation per object is outstanding).</summary>
    public async Task RevokeAsync(int id)
    {
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _revoking[id] = acked;
        if (_gone) return;
        try { await Channel.SendAsync(ManagerMessage.Push(LeasePush.Revoke).I32(id).WrittenMemory, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is IpcException or ObjectDisposedException or IOException) { return; } // gone: holds nothing
        try { await acked.Task.WaitAsync(RevokeTimeout).ConfigureAwait(false); }
        catch (TimeoutException) { connection.Dispose(); }
    }

    public void Acked(int id)
    {
        if (_revoking.TryRemove(id, out var acked)) acked.TrySetResult();
    }

    /// <summary>Answers request <paramref name="sequence"/>.</summary>
    public async Task ReplyAsync(uint sequence, ManagerMessage reply)
    {
        try { await Channel.SendAsync(ManagerMessage.Push(LeasePush.Reply).U32(sequence).Raw(reply.Written).WrittenMemory, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is IpcException or ObjectDisposedException or IOException) { }
    }

    /// <summary>The connection ended: nothing it held needs revoking any more.</summary>
    public void End()
    {
        _gone = true;
        foreach (var acked in _revoking.Values) acked.TrySetResult();
    }
}
