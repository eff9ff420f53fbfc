namespace NativeIpc.Compare.Baseline;

/// <summary>The parent's end of a running baseline child: a stream to read from, one to write to,
/// and how to wait for the child once the rounds are done.</summary>
internal sealed class ChildConnection(Stream fromChild, Stream toChild, Action waitForExit, IDisposable? extra = null) : IDisposable
{
    public Stream FromChild { get; } = fromChild;

    public Stream ToChild { get; } = toChild;

    public void Dispose()
    {
        ToChild.Dispose(); // EOF first, so an echoing child is never left waiting
        waitForExit();
        FromChild.Dispose();
        extra?.Dispose();
    }
}
