namespace NativeIpc.Pool;

/// <summary>The bytes of the pool's messages (queue items, little-endian), described once. Only
/// <see cref="PoolMessage"/> reads or writes them.
/// <code>
/// task:   i64 taskId | i32 targetId | i32 descLength | TargetMethod (descLength bytes) | u8[32] targetTag
///         | i32 items | (i32 argc | argument*)*
/// result: i64 taskId | u8 Ok     | i32 items | value*                      (values encoded by the method's return type)
///         i64 taskId | u8 Failed | str exceptionType | str message | str stackTrace
///         i64 taskId | u8 Lost   | i32 pid | i32 exitCode                 (put by the parent when a worker died)
///         i64 taskId | u8 Skipped                                         (the task was cancelled: not run)
/// </code>
/// A map over one unmanaged argument (<see cref="IpcSerializers.IsRawCopied"/>) sends its items as one raw block instead
/// of the argument lists, and a result of an unmanaged type comes back as one raw block instead of the values:
/// <code>
/// raw block: i32 RawBlock | i32 itemSize | u8[items * itemSize]       (the items' bytes, as in memory)
/// </code>
/// <see cref="RawBlock"/> is never a first argument count (never negative) nor a first value (a tag byte is below 0x80).
/// <c>targetTag</c> is HMAC-SHA256 over <c>targetId | TargetMethod</c> under the pool's key, which workers receive on
/// their private launch channel: a worker runs only targets its parent described.</summary>
internal static class PoolMessageLayout
{
    public const int TaskIdOffset = 0;
    public const int TaskIdSize = sizeof(long);

    // Task messages.
    public const int TargetIdOffset = TaskIdOffset + TaskIdSize;
    public const int DescriptionLengthOffset = TargetIdOffset + sizeof(int);
    public const int DescriptionOffset = DescriptionLengthOffset + sizeof(int);
    public const int TargetTagSize = 32; // HMAC-SHA256
    public const int ItemsSize = sizeof(int);
    /// <summary>Where the first argument count (task) or the first value (result) would be: the items are one raw block.</summary>
    public const int RawBlock = -1;
    public const int RawBlockHeaderSize = 2 * sizeof(int);
    /// <summary>A task message with an empty description and no items.</summary>
    public const int MinTaskSize = DescriptionOffset + TargetTagSize + ItemsSize;

    // Result messages.
    public const int StatusOffset = TaskIdOffset + TaskIdSize;
    public const int ResultBodyOffset = StatusOffset + 1;
    public const int MinResultSize = ResultBodyOffset;
    public const int LostSize = ResultBodyOffset + 2 * sizeof(int);
    public const int SkippedSize = ResultBodyOffset;

    public const byte Ok = 0;
    public const byte Failed = 1;
    public const byte Lost = 2;
    public const byte Skipped = 3;

    /// <summary>Task id of a worker initializer, which never travels through the queue.</summary>
    public const long InitializerTaskId = 0;
}
