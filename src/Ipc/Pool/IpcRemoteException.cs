namespace NativeIpc;

/// <summary>A pool task's function threw in a worker process. The worker survives; this carries what the remote
/// exception said (its type name, message and stack trace as text), since the exception object itself stays there.</summary>
/// <remarks>Python: the exception re-raised by <c>AsyncResult.get()</c> / <c>Pool.map</c> (with a <c>RemoteTraceback</c> cause)</remarks>
public sealed class IpcRemoteException : IpcException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="remoteType">Full name of the exception type thrown in the worker.</param>
    /// <param name="remoteMessage">Its message.</param>
    /// <param name="remoteStackTrace">Its stack trace, as the worker printed it.</param>
    public IpcRemoteException(string remoteType, string remoteMessage, string remoteStackTrace)
        : base($"{remoteType}: {remoteMessage}")
    {
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Full name of the exception type thrown in the worker, e.g. <c>System.InvalidOperationException</c>.</summary>
    public string RemoteType { get; }

    /// <summary>The remote exception's message.</summary>
    public string RemoteMessage { get; }

    /// <summary>The remote exception's stack trace, as text.</summary>
    public string RemoteStackTrace { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{base.ToString()}{Environment.NewLine}--- remote stack trace ---{Environment.NewLine}{RemoteStackTrace}";
}
