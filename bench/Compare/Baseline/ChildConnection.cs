namespace NativeIpc.Compare.Baseline;

/// <summary>The parent's end of a running baseline child: a stream to read from, one to write to,
/// and how to wait for the child once the rounds are done.</summary>
internal sealed class ChildConnection(Stream fromChild, Stream toChild, Action waitForExit, Action kill, IDisposable? extra = null) : IDisposable
{
    private bool _aborted;

    public Stream FromChild { get; } = fromChild;

    public Stream ToChild { get; } = toChild;

    /// <summary>After a failed run: the child may be blocked writing to us, so it is killed, not waited for.</summary>
    public void Abort()
    {
        _aborted = true;
        try { kill(); } catch (InvalidOperationException) { } // already gone
    }

    public void Dispose()
    {
        ToChild.Dispose(); // EOF first, so an echoing child is never left waiting
        if (!_aborted) waitForExit();
        FromChild.Dispose();
        extra?.Dispose();
    }
}
