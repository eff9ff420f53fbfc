namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Creates a pipe and returns its two ends (see <see cref="Connection.CreatePipe"/>).</summary>
    /// <param name="duplex">Two-way (default); otherwise the first end only receives and the second only sends.</param>
    /// <remarks>Python: multiprocessing.Pipe(duplex=True)</remarks>
    public static (Connection First, Connection Second) Pipe(bool duplex = true) => Connection.CreatePipe(duplex);
}
