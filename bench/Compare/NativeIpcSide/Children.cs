using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.NativeIpcSide;

/// <summary>The child processes of one workload: joined and checked at the end of a good run, killed on the way out of
/// a failed one, so a broken workload never leaves a process behind.</summary>
internal sealed class Children : IDisposable
{
    /// <summary>How long any wait for a child or a message may take before the run counts as failed.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly List<IpcProcess> _processes = [];

    public void Add(IpcProcess process) => _processes.Add(process);

    /// <summary>Waits for every child to exit and checks it exited with 0.</summary>
    public void JoinAll()
    {
        foreach (var p in _processes)
        {
            VerificationException.Check(p.Join(Limit), "child did not finish");
            VerificationException.Check(p.ExitCode == 0, $"child exit code {p.ExitCode}");
        }
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            if (p.IsAlive) p.Kill();
            p.Join(TimeSpan.FromSeconds(10));
            p.Dispose();
        }
        _processes.Clear();
    }
}
