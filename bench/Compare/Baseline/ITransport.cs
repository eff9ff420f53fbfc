namespace NativeIpc.Compare.Baseline;

/// <summary>How the baseline reaches its child: an anonymous pipe pair or a Unix domain socket.</summary>
internal interface ITransport
{
    string Name { get; }

    /// <summary>Null when the transport works on this machine; else why not ("n/a: …"), and its rows show that
    /// instead of running.</summary>
    string? Unavailable => null;

    /// <summary>Starts a child running <see cref="StreamChild.Run"/> with these arguments and connects to it.</summary>
    ChildConnection Start(string role, int rounds, int count, int size);
}
