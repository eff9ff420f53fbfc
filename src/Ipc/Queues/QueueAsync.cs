namespace NativeIpc.Queues;

/// <summary>The async waits of the queues (<see cref="IpcQueue{T}"/>, <see cref="IpcSimpleQueue{T}"/>, the channel
/// adapters): they hold no thread while they wait and are woken by the same wake as a synchronous waiter.</summary>
/// <remarks>
/// <para>Each operation spins briefly on plain reads (the spin half of spin-then-park, <see cref="WaitTuning.QueueSpin"/>:
/// a busy ping-pong never reaches the parker thread), then registers as a sleeper on the ring's event count, makes one
/// non-blocking attempt and, if that found nothing, parks through <see cref="EventCount.WaitWatchedAsync"/> (see
/// <see cref="AsyncParker"/>): a publish, a freed record or the end after the registration bumps the sequence, so no
/// wake is lost. An attempt that lost to another process holding the take (or claim) word waits on that word instead,
/// whose release wakes it. A process that dies wakes nobody: instead of cutting each park into liveness slices (as
/// synchronous waits do), every park names the ring's <see cref="QueueLivenessWatch"/> for its side, which the parker
/// asks once per slice for all waits on the ring, and which wakes them only when it finds a dead peer (the retry then
/// takes over, skips a torn record, frees a dead taker's record or sees the end).</para>
/// <para>No trace when cancelled: an attempt either took (or put) an item, and the operation then returns it
/// whatever the token says, or took nothing; a fired token only ever ends a park.</para>
/// </remarks>
internal static class QueueAsync
{
    // ---------------------------------------------------------------- consumers

    /// <summary>Takes the next item (<see cref="TakeOutcome.Taken"/>) or finds the stream ended and drained
    /// (<see cref="TakeOutcome.Closed"/>).</summary>
    /// <exception cref="OperationCanceledException">The token fired first; nothing was taken.</exception>
    /// <exception cref="ObjectDisposedException">The queue was disposed in this process while the wait was pending.</exception>
    public static ValueTask<(TakeOutcome Outcome, T Item)> TakeAsync<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return ValueTask.FromCanceled<(TakeOutcome, T)>(ct);
        var ring = channel.Ring;
        // Only plain reads before the spin: a take of an empty queue also tests its holders' liveness.
        if (ring.IsReadableAtHead || ring.HasEnded(checkLiveness: false))
        {
            var outcome = channel.Take(WaitLimit.Zero, out var item);
            if (outcome != TakeOutcome.TimedOut) return new((outcome, item));
        }
        return TakeSlow(channel, ct);
    }

    private static async ValueTask<(TakeOutcome, T)> TakeSlow<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        channel.Hold();
        try { return await TakeHeld(channel, ct).ConfigureAwait(false); }
        finally { channel.Leave(); }
    }

    private static async ValueTask<(TakeOutcome, T)> TakeHeld<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        var attempt = new TakeAttempt<T>(channel);
        var watch = QueueLivenessWatch.Consumers(channel.Ring);
        int deaths = watch.Deaths;
        bool spun = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var ring = channel.Ring;
            if (!spun) { spun = true; SpinUntil(static r => r.IsReadableAtHead || r.HasEnded(checkLiveness: false), ring); }
            // A death seen since this take began may have ended the stream with no wake: only then does the attempt
            // pay for liveness tests of the holders.
            int seen = watch.Deaths;
            attempt.CheckEnd = seen != deaths;
            deaths = seen;
            // The attempt runs after registering as a sleeper: a publish after it wakes the park.
            bool ready = await ring.DataEvent.WaitWatchedAsync(static a => a.Run(), attempt, Deadline.Infinite,
                watch, ct, channel).ConfigureAwait(false);
            if (attempt.Outcome != TakeOutcome.TimedOut) return (attempt.Outcome, attempt.Item);
            if (ready && attempt.Busy) await WhileHeld(ring.ConsumerWord, watch, ct, channel).ConfigureAwait(false);
        }
    }

    /// <summary>True once a take would deliver an item (true) or the stream has ended and is drained (false).</summary>
    /// <exception cref="OperationCanceledException">The token fired first.</exception>
    public static async ValueTask<bool> WaitToReadAsync<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        channel.Hold();
        try { return await WaitToReadHeld(channel, ct).ConfigureAwait(false); }
        finally { channel.Leave(); }
    }

    private static async ValueTask<bool> WaitToReadHeld<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        var probe = new ReadProbe(channel.Ring);
        var watch = QueueLivenessWatch.Consumers(channel.Ring);
        bool spun = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var ring = channel.Ring;
            if (ring.IsReadableAtHead) return true;
            if (!spun) { spun = true; SpinUntil(static r => r.IsReadableAtHead || r.HasEnded(checkLiveness: false), ring); }
            await ring.DataEvent.WaitWatchedAsync(static p => p.Run(), probe, Deadline.Infinite,
                watch, ct, channel).ConfigureAwait(false);
            if (probe.Readable) return true;
            if (probe.Ended) return false;
            // Woken (or a slice ended) with a record at head still Claimed: its producer may be dead, and only a take
            // skips a torn record. Say "look": the caller's take skips it, or finds the producer alive and nothing.
            if (ring.HasData && !ring.IsReadableAtHead) return true;
        }
    }

    /// <summary>Completes once the stream has ended and every item was taken (a channel reader's Completion).</summary>
    public static async Task WaitEndedAndDrainedAsync<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        channel.Hold();
        try { await WaitEndedAndDrainedHeld(channel, ct).ConfigureAwait(false); }
        finally { channel.Leave(); }
    }

    private static async Task WaitEndedAndDrainedHeld<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        var watch = QueueLivenessWatch.Consumers(channel.Ring);
        while (true)
        {
            var ring = channel.Ring;
            bool ended = ring.HasEnded(checkLiveness: true);
            if (ended && !ring.HasData) return;
            // Before the end, the end's wake comes on the data count; after it, the last take's on the space count.
            var count = ended ? ring.SpaceEvent : ring.DataEvent;
            await count.WaitWatchedAsync(static r => r.HasEnded(checkLiveness: false) && !r.HasData, ring, Deadline.Infinite,
                watch, ct, channel).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- producers

    /// <summary>Puts an item, waiting for room without holding a thread.</summary>
    /// <exception cref="IpcQueueClosedException">The stream has ended.</exception>
    /// <exception cref="IpcQueueShutDownException">The queue was shut down (also while the put waited).</exception>
    /// <exception cref="OperationCanceledException">The token fired first; nothing was put.</exception>
    /// <exception cref="IpcSerializationException">The item cannot be encoded; nothing was put.</exception>
    public static ValueTask PutAsync<T>(QueueChannel<T> channel, T item, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return ValueTask.FromCanceled(ct);
        var ring = channel.Ring;
        if (ring.IsClosed) throw ring.EndedException();
        var message = channel.Encode(item);
        if (message.Length > ring.MaxRecordPayload)
        {
            // A chunked message's chunks must follow one another while consumers drain the first ones, under the
            // claim word: a non-blocking attempt could leave a torn prefix. A pool thread puts it, as Put would.
            return new(Task.Run(() => { if (!ring.Put(message.Span, Deadline.Infinite)) throw new IpcQueueFullException(); }, ct));
        }
        if (ring.Put(message.Span, Deadline.Expired)) return default;
        return PutSlow(channel, message, ct);
    }

    private static async ValueTask PutSlow<T>(QueueChannel<T> channel, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        channel.Hold();
        try { await PutHeld(channel, message, ct).ConfigureAwait(false); }
        finally { channel.Leave(); }
    }

    private static async ValueTask PutHeld<T>(QueueChannel<T> channel, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        var attempt = new PutAttempt(channel.Ring, message);
        var watch = QueueLivenessWatch.Producers(channel.Ring);
        bool spun = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var ring = channel.Ring;
            if (!spun) { spun = true; SpinUntil(static a => a.Ring.HasRoomFor(a.Message.Length) || a.Ring.IsClosed, attempt); }
            bool ready = await ring.SpaceEvent.WaitWatchedAsync(static a => a.Run(), attempt, Deadline.Infinite,
                watch, ct, channel).ConfigureAwait(false);
            if (attempt.Done) return;
            if (ready && attempt.Busy) await WhileHeld(ring.ProducerWord, watch, ct, channel).ConfigureAwait(false);
        }
    }

    /// <summary>True once a small item would fit (true) or the stream has ended (false).</summary>
    public static async ValueTask<bool> WaitToWriteAsync<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        channel.Hold();
        try { return await WaitToWriteHeld(channel, ct).ConfigureAwait(false); }
        finally { channel.Leave(); }
    }

    private static async ValueTask<bool> WaitToWriteHeld<T>(QueueChannel<T> channel, CancellationToken ct)
    {
        var watch = QueueLivenessWatch.Producers(channel.Ring);
        int deaths = watch.Deaths;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var ring = channel.Ring;
            if (ring.IsClosed) return false;
            if (!ring.IsFull) return true;
            // A dead taker's record is freed only by a put (or a take): say "try", and the caller's write frees it.
            if (watch.Deaths != deaths) return true;
            await ring.SpaceEvent.WaitWatchedAsync(static r => !r.IsFull || r.IsClosed, ring, Deadline.Infinite,
                watch, ct, channel).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- shared pieces

    /// <summary>Spins (bounded, plain reads) until <paramref name="ready"/> holds: a peer that answers within a few
    /// microseconds is seen without a park and a wake through the parker thread.</summary>
    private static void SpinUntil<TState>(Func<TState, bool> ready, TState state)
    {
        var spin = new SpinPhase(WaitTuning.QueueSpin);
        while (!ready(state) && spin.Spin()) { }
    }

    /// <summary>Waits (async) until another holder lets go of <paramref name="word"/> (see
    /// <see cref="ClaimWord.WhileHeldAsync(LivenessWatch, CancellationToken, object)"/>). A holder that died is found
    /// by <paramref name="watch"/>, and taken over by the next attempt.</summary>
    private static ValueTask<bool> WhileHeld(ClaimWord word, LivenessWatch watch, CancellationToken ct, object owner) => word.WhileHeldAsync(watch, ct, owner);

    /// <summary>One non-blocking take, as the ready check of a park.</summary>
    private sealed class TakeAttempt<T>(QueueChannel<T> channel)
    {
        public TakeOutcome Outcome = TakeOutcome.TimedOut;
        public T Item = default!;
        /// <summary>Nothing taken though a record is there: another consumer holds the take word.</summary>
        public bool Busy;
        /// <summary>Also test the holders' liveness (a non-blocking take does not): the stream may have ended by deaths.</summary>
        public bool CheckEnd;

        public bool Run()
        {
            Busy = false;
            Outcome = channel.Take(WaitLimit.Zero, out Item);
            if (Outcome != TakeOutcome.TimedOut) return true;
            var ring = channel.Ring;
            // Ended first, then no data: a message put just before the end is seen (see RecordRing.Take).
            if (CheckEnd && ring.HasEnded(checkLiveness: true) && !ring.HasData)
            {
                Outcome = TakeOutcome.Closed;
                return true;
            }
            Busy = ring.IsReadableAtHead;
            return Busy;
        }
    }

    /// <summary>One non-blocking put of an encoded whole record, as the ready check of a park.</summary>
    private sealed class PutAttempt(QueueRing ring, ReadOnlyMemory<byte> message)
    {
        public readonly QueueRing Ring = ring;
        public readonly ReadOnlyMemory<byte> Message = message;
        public bool Done;
        /// <summary>Not put though there may be room: another producer held the claim word, or space just appeared.</summary>
        public bool Busy;

        public bool Run()
        {
            if (Ring.IsClosed) throw Ring.EndedException();
            Done = Ring.Put(Message.Span, Deadline.Expired);
            if (Done) return true;
            Busy = Ring.ProducerWord.Holder != 0 || Ring.HasRoomFor(Message.Length);
            return Busy;
        }
    }

    /// <summary>Readiness without taking, as the ready check of a park.</summary>
    private sealed class ReadProbe(QueueRing ring)
    {
        public bool Readable;
        public bool Ended;

        public bool Run()
        {
            Readable = ring.IsReadableAtHead;
            Ended = !Readable && ring.HasEnded(checkLiveness: true) && !ring.HasData; // ended first, then no data
            return Readable || Ended;
        }
    }
}
