namespace NativeIpc.Cluster;

/// <summary>The seam between ClusterPool and an MPI library: the few point-to-point calls it needs, on
/// <c>MPI_COMM_WORLD</c>, with byte messages. One implementation per MPI ABI (today <see cref="Mpich.MpichTransport"/>);
/// every call is made from the one thread that initialized MPI (<see cref="ClusterRuntime"/>), so the library needs
/// no more than <c>MPI_THREAD_FUNNELED</c>.</summary>
internal interface IMpiTransport
{
    /// <summary>This process's rank in <c>MPI_COMM_WORLD</c>.</summary>
    int Rank { get; }

    /// <summary>Number of ranks in <c>MPI_COMM_WORLD</c>.</summary>
    int Size { get; }

    /// <summary>The library's version line and this rank's host, for messages.</summary>
    string Description { get; }

    /// <summary>Starts sending <paramref name="message"/> (kept alive and pinned until the send completes).</summary>
    IMpiSend Post(int destination, int tag, byte[] message) => Post(destination, tag, message, message.Length, rented: false);

    /// <summary>Starts sending the first <paramref name="length"/> bytes of <paramref name="message"/> (kept alive and
    /// pinned until the send completes; <paramref name="rented"/>: then given back to <see cref="System.Buffers.ArrayPool{T}.Shared"/>).</summary>
    IMpiSend Post(int destination, int tag, byte[] message, int length, bool rented);

    /// <summary>Receives the next message from <paramref name="source"/> (<see cref="AnySource"/>: anyone) if one
    /// has arrived; false at once otherwise. <paramref name="pooled"/>: a large payload may be a rented array longer
    /// than the message (<see cref="MpiMessage.Length"/>), which the caller gives back with <see cref="MpiMessage.Release"/>.</summary>
    bool TryReceive(int source, out MpiMessage message, bool pooled = false);

    /// <summary>True when a message from <paramref name="source"/> (<see cref="AnySource"/>: anyone) has arrived; it
    /// stays to be received.</summary>
    bool HasMessage(int source);

    /// <summary>The doorbell of <paramref name="rank"/> (<see cref="ClusterDoorbellLayout"/>: its sequence word, the
    /// sleeper count next to it) in memory this process shares with it; null when that rank is on another node, or the
    /// MPI library shares no memory between them (TCP only).</summary>
    unsafe int* Doorbell(int rank);

    /// <summary>Ends MPI for this process (<c>MPI_Finalize</c>).</summary>
    void Shutdown();

    /// <summary>Ends the whole job (<c>MPI_Abort</c>).</summary>
    void Abort(int errorCode);

    /// <summary>Matches any source in <see cref="TryReceive"/>.</summary>
    const int AnySource = -2;
}

/// <summary>A send in flight.</summary>
internal interface IMpiSend
{
    /// <summary>True once the send completed (its buffer may be reused); it is then released.</summary>
    bool Test();
}

/// <summary>A received message: the first <see cref="Length"/> bytes of <see cref="Payload"/>.</summary>
internal readonly record struct MpiMessage(int Source, int Tag, byte[] Payload, int Length, bool Pooled)
{
    /// <summary>The message's bytes.</summary>
    public ArraySegment<byte> Body => new(Payload, 0, Length);

    /// <summary>Gives a rented payload back (nothing may read it afterwards).</summary>
    public void Release()
    {
        if (Pooled) System.Buffers.ArrayPool<byte>.Shared.Return(Payload);
    }
}
