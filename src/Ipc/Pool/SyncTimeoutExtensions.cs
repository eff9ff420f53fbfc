namespace NativeIpc.Pool;

/// <summary>Turns a <see cref="SyncTimeout"/> into the millisecond argument of <see cref="Task.Wait(int)"/>,
/// <see cref="Thread.Join(int)"/> and <see cref="Monitor.Wait(object, int)"/>.</summary>
internal static class SyncTimeoutExtensions
{
    /// <summary><see cref="Timeout.Infinite"/> for no limit, else the milliseconds left (0 once expired).</summary>
    public static int RemainingMs(this SyncTimeout timeout) => timeout.IsInfinite ? Timeout.Infinite : timeout.SliceMs(int.MaxValue);
}
