namespace NativeIpc.Compare.Baseline;

/// <summary>The shared file of the mmap+Mutex baseline:
/// <code>
///  0        8        16         24         32            64       72              4096
///  | go:int | ready:int | end[0]:long | end[1]:long | write s:double | value:long | …  | data (array row) …
/// </code>
/// The value sits on its own cache line, so the start/finish bookkeeping does not slow the increments.</summary>
internal static class MappedFileLayout
{
    public const int GoOffset = 0;
    public const int ReadyOffset = 8;
    public const int EndTicksOffset = 16;
    public const int WriteSecondsOffset = 40;
    public const int ValueOffset = 64;
    public const int DataOffset = 4096;
    public const int HeaderSize = DataOffset;
}
