namespace NativeIpc.Os;

/// <summary>A named shared-memory object mapped into this process.</summary>
internal unsafe interface ISharedMapping : IDisposable
{
    /// <summary>Start of the mapping.</summary>
    byte* Pointer { get; }

    /// <summary>Mapped length in bytes.</summary>
    long Length { get; }

    /// <summary>Maps every page in now, so the hot path takes no page fault (large arrays). Best effort; platforms
    /// without it do nothing.</summary>
    void Prefault() { }
}
