namespace NativeIpc;

public static partial class Multiprocessing
{
    /// <summary>Starts a pool of worker processes; see <see cref="ProcessPool"/>.</summary>
    /// <param name="processes">Number of workers; null: <see cref="CpuCount"/>.</param>
    /// <remarks>Python: multiprocessing.Pool(processes)</remarks>
    public static ProcessPool Pool(int? processes = null) => new(processes);
}
