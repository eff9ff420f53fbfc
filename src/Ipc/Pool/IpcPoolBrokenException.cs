namespace NativeIpc;

/// <summary>The pool could not keep its workers running: replacement workers failed to start (or died before they
/// were ready, e.g. in the initializer) too many times in a row. Every task still pending fails with it, and every
/// later submission throws it; <see cref="Exception.InnerException"/> is the last start failure.</summary>
/// <remarks>Python has no equivalent (its Pool restarts failing workers forever); concurrent.futures raises
/// BrokenProcessPool.</remarks>
public sealed class IpcPoolBrokenException : IpcException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="startFailure">The last failure to start a worker.</param>
    public IpcPoolBrokenException(Exception startFailure)
        : base($"The process pool is broken: its workers could not be started ({startFailure.Message}).", startFailure)
    {
    }
}
