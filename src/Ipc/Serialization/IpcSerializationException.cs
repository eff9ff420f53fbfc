namespace NativeIpc;

/// <summary>A value could not be turned into bytes or back: its type has no serializer, or the serializer failed.
/// Always thrown in the caller's thread, before anything was sent.</summary>
public sealed class IpcSerializationException : IpcException
{
    /// <summary>Creates the exception.</summary>
    public IpcSerializationException(string message, Exception? inner = null) : base(message, inner) { }
}
