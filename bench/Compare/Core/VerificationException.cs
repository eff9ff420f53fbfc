namespace NativeIpc.Compare.Core;

/// <summary>The run did not do the work it claims (a message lost, a checksum wrong): its figure is discarded.</summary>
internal sealed class VerificationException(string message) : Exception(message)
{
    public static void Check(bool condition, string what)
    {
        if (!condition) throw new VerificationException(what);
    }
}
