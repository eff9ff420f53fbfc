using NativeIpc.Os;

namespace NativeIpc.Process;

/// <summary>The parent of this NativeIpc child (Python's <c>parent_process()</c>), as its launch spec described it:
/// name, pid, and the owner id <see cref="ProcessLiveness"/> tests, so a recycled pid does not pass for the parent.</summary>
internal sealed class ParentRole(string name, int pid, int owner) : ExistingProcessRole(name, daemon: false)
{
    // Waiting on a process that is not our child has no kernel notification here: poll at this period.
    private static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(10);

    public override int? Pid => pid;

    public override bool IsAlive => ProcessLiveness.IsAlive(owner);

    public override bool Join(TimeSpan timeout)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? (DateTime?)null : DateTime.UtcNow + timeout;
        while (IsAlive)
        {
            if (deadline is { } d && DateTime.UtcNow >= d) return false;
            Thread.Sleep(PollPeriod);
        }
        return true;
    }

    public override async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        while (IsAlive) await Task.Delay(PollPeriod, cancellationToken).ConfigureAwait(false);
    }
}
