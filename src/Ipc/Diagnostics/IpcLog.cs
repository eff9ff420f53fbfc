using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NativeIpc.Diagnostics;

/// <summary>Loggers from <see cref="Multiprocessing.LoggerFactory"/>; nothing is written anywhere until one is set.</summary>
internal static class IpcLog
{
    /// <summary>The logger for <paramref name="category"/> ("NativeIpc.ProcessPool", …), or a null logger.</summary>
    public static ILogger For(string category) => Multiprocessing.LoggerFactory?.CreateLogger(category) ?? NullLogger.Instance;

    public static ILogger Pool => For("NativeIpc.ProcessPool");
}
