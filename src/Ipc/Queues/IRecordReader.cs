namespace NativeIpc.Queues;

/// <summary>Receives one whole message's bytes, valid only during the call (they may be the ring's own memory).</summary>
internal interface IRecordReader
{
    void Read(ReadOnlySpan<byte> message);
}
