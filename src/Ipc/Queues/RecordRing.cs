using System.Buffers;
using L = NativeIpc.Queues.QueueLayout;

namespace NativeIpc.Queues;

/// <summary>The byte ring of records under every queue and pipe (<see cref="QueueLayout"/>): producers claim space
/// under the claim word, copy outside it in parallel and publish with one exchange of the record's state word;
/// consumers take the record at head under the take word, copy outside it, and mark it consumed; <c>released</c>
/// trails behind over consumed records. Every state a SIGKILL can leave is recoverable: a claim word whose holder is
/// dead is taken over (and a count it left half done finished), a Claimed record whose producer is dead is skipped,
/// a Taken record whose consumer is dead is freed.
/// <para>Nothing read from shared memory is trusted: every position, length, state and kind is checked before it is
/// used, and a value no correct peer writes throws <see cref="IpcSegmentCorruptedException"/>. All pointers into the
/// ring are formed from a masked, 16-byte-aligned offset, so no access leaves the ring even before the checks.</para></summary>
internal sealed unsafe class RecordRing
{
    private readonly byte* _ctl;
    private readonly byte* _ring;
    private readonly int _capacity;
    private readonly long _offsetMask; // keeps offsets inside the ring and 16-byte aligned
    private readonly int _maxItems;
    private readonly int _maxRecordPayload;
    private readonly CancellationToken _stop;
    private long _cachedReleased;
    private long _cachedTail;
    private readonly int _releaseBatch;
    private long _releaseMark; // head when this process last moved released on (FreeSpace)

    /// <summary>Tail passed to <see cref="CheckRecord"/> for a record whose header showed it committed (tail not read).</summary>
    private const long UnknownTail = long.MaxValue;

    /// <summary>Spin steps (~40 ns each) a waiting consumer watches the head record's state word alone before it looks
    /// at the end of stream, its deadline and the tail again: a stream that ends, or a deadline, is seen within ~3 µs.</summary>
    private const int RecheckSteps = 64;

    /// <summary>Most bytes a consumer consumes before it moves <c>released</c> on (an eighth of the ring if smaller):
    /// see <see cref="FreeSpace"/>.</summary>
    private const int MaxReleaseBatch = 2048;

    /// <summary>Spin steps (~40 ns each) between a waiting producer's own moves of <c>released</c> (<see cref="WaitForSpace"/>).</summary>
    private const int AdvanceSteps = 64;

    /// <summary>Attaches to a ring whose control block starts at <paramref name="control"/>, with
    /// <paramref name="available"/> bytes mapped from there on.</summary>
    /// <param name="control">The control block.</param>
    /// <param name="available">Bytes mapped from <paramref name="control"/> on.</param>
    /// <param name="stop">Stops every wait (it throws <see cref="OperationCanceledException"/>): the owning segment's
    /// <see cref="SharedSegment.DisposeToken"/>, so disposing wakes a blocked put, get or join.</param>
    /// <exception cref="IpcSegmentCorruptedException">The capacity or item limit in the control block is impossible.</exception>
    public RecordRing(byte* control, long available, CancellationToken stop = default)
    {
        _stop = stop;
        if (available < L.RingOffset) throw Corrupt($"only {available} bytes are mapped for the queue's control block");
        _ctl = control;
        _ring = control + L.RingOffset;
        _capacity = Volatile.Read(ref *(int*)(control + L.CapacityOffset));
        if (!L.IsValidCapacity(_capacity, available))
            throw Corrupt($"ring capacity {_capacity} is not a power of two between {L.MinCapacity} and {L.MaxCapacity} that fits the {available}-byte mapping");
        _offsetMask = (_capacity - 1) & ~(long)(L.RecordAlignment - 1);
        _maxItems = Volatile.Read(ref *(int*)(control + L.MaxItemsOffset));
        if (_maxItems < 0) throw Corrupt($"item limit {_maxItems} is negative");
        _maxRecordPayload = L.MaxRecordPayload(_capacity);
        _releaseBatch = Math.Min(_capacity / 8, MaxReleaseBatch);
    }

    /// <summary>Writes a fresh control block (creator only, before the segment is marked ready).</summary>
    public static void Initialize(byte* control, int capacity, int maxItems)
    {
        new Span<byte>(control, L.RingOffset).Clear();
        *(int*)(control + L.CapacityOffset) = capacity;
        *(int*)(control + L.MaxItemsOffset) = maxItems;
    }

    public int Capacity => _capacity;

    public JoinableCounter Joinable => new(_ctl);

    /// <summary>The token every wait of this ring parks with.</summary>
    public CancellationToken Stop => _stop;

    private ref int Int(int offset) => ref *(int*)(_ctl + offset);
    private ref long Long(int offset) => ref *(long*)(_ctl + offset);

    private ClaimWord ClaimLock => new((int*)(_ctl + L.ClaimWordOffset), (int*)(_ctl + L.ClaimSleepersOffset));
    private ClaimWord TakeLock => new((int*)(_ctl + L.TakeWordOffset), (int*)(_ctl + L.TakeSleepersOffset));
    private EventCount Data => new((int*)(_ctl + L.DataSeqOffset), (int*)(_ctl + L.DataSleepersOffset));
    private EventCount Space => new((int*)(_ctl + L.SpaceSeqOffset), (int*)(_ctl + L.SpaceSleepersOffset));

    /// <summary>The record header at <paramref name="position"/>: always inside the ring, whatever the position.</summary>
    private RecordHeader At(long position) => new(_ring + (position & _offsetMask));

    private int OffsetOf(long position) => (int)(position & (_capacity - 1));

    /// <summary>True once the stream was ended for everyone (<see cref="Complete"/>).</summary>
    public bool IsCompleted => Volatile.Read(ref Int(L.CompletedOffset)) != 0;

    /// <summary>The processes that may still put (queues; pipes leave it untracked).</summary>
    public QueueHolders Holders => new(_ctl);

    /// <summary>True when nothing more will be put: completed, or every holder closed (or, with
    /// <paramref name="checkLiveness"/>, died).</summary>
    public bool HasEnded(bool checkLiveness) => IsCompleted || Holders.NoneLeft(checkLiveness);

    /// <summary>Wakes consumers so they look at <see cref="HasEnded"/> again (the last holder let go).</summary>
    public void NotifyEnded() => Wake(Data, always: true);

    /// <summary>Messages committed minus messages taken or skipped: approximate by nature.</summary>
    public long Count => Math.Max(0, Volatile.Read(ref Long(L.EnqueuedOffset)) - Volatile.Read(ref Long(L.DequeuedOffset)));

    public bool HasData => Volatile.Read(ref Long(L.HeadOffset)) < Volatile.Read(ref Long(L.TailOffset));

    /// <summary>True when a small message would not fit now.</summary>
    public bool IsFull => (_maxItems > 0 && Count >= _maxItems) || !HasRoomNow(Volatile.Read(ref Long(L.TailOffset)), L.SmallMessageNeed);

    /// <summary>True once the queue was shut down (<see cref="Shutdown"/>).</summary>
    public bool IsShutDown => (Volatile.Read(ref Int(L.ShutdownOffset)) & L.ShutDownFlag) != 0;

    /// <summary>What a put on a completed ring throws (and a get at the end of the stream, through
    /// <see cref="QueueRing.EndedException"/>): <see cref="IpcQueueShutDownException"/> after <see cref="Shutdown"/>,
    /// else <see cref="IpcQueueClosedException"/>. Read only once the end was seen, never on the hot paths.</summary>
    public IpcException EndedException() => IsShutDown ? new IpcQueueShutDownException() : new IpcQueueClosedException();

    /// <summary>Shuts the queue down (Python's <c>Queue.shutdown</c>): marks it (the mark chooses the exceptions),
    /// then completes it, which wakes every sleeper as <see cref="Complete"/> does. With <paramref name="immediate"/>,
    /// also discards what is queued (<see cref="DiscardAll"/>) and returns how many counted messages it discarded.</summary>
    public long Shutdown(bool immediate)
    {
        // The mark goes first: whoever sees completed set then sees the mark (both are full fences).
        Interlocked.Or(ref Int(L.ShutdownOffset), immediate ? L.ShutDownFlag | L.ShutDownImmediateFlag : L.ShutDownFlag);
        Complete();
        return immediate ? DiscardAll() : 0;
    }

    /// <summary>Takes and drops every message of a completed ring. Producers read <c>completed</c> under the claim
    /// word, so taking the word once after completing waits out the claims made before and guarantees none after:
    /// what remains to drop ends at the tail seen then. A record a live producer is still writing is waited for up to
    /// <see cref="WaitTuning.ShutdownDrainMs"/> (then left for a getter); a dead producer's is skipped as by any take.</summary>
    /// <returns>Counted messages dropped (a joinable queue counts them as done).</returns>
    private long DiscardAll()
    {
        if (AcquireClaim(Deadline.FromMilliseconds(WaitTuning.ShutdownDrainMs))) ClaimLock.Release();
        var discard = new DiscardReader();
        long dropped = 0;
        while (Take(ref discard, Deadline.FromMilliseconds(WaitTuning.ShutdownDrainMs)) == TakeOutcome.Taken) dropped++;
        return dropped;
    }

    private struct DiscardReader : IRecordReader
    {
        public readonly void Read(ReadOnlySpan<byte> message) { }
    }

    /// <summary>Ends the stream for everyone: puts throw, consumers drain then see the end.</summary>
    public void Complete()
    {
        Interlocked.Exchange(ref Int(L.CompletedOffset), 1);
        Wake(Data, always: true);
        Wake(Space, always: true);
    }

    private static void Wake(EventCount ev, bool always = false)
    {
        if (!always && !ev.HasSleepers) return;
        QueueRing.CountWake();
        ev.NotifyAlways();
    }

    // ---------------------------------------------------------------- producers

    /// <summary>Enqueues one message. False when <paramref name="deadline"/> passed while full (or while another live
    /// producer held the claim word).</summary>
    /// <exception cref="IpcQueueClosedException">The queue is closed.</exception>
    /// <remarks><c>completed</c> is read under the claim word (once per attempt, as before it was read ahead of it):
    /// then no record is claimed after a <see cref="Shutdown"/>'s drain has taken the word.</remarks>
    public bool Put(ReadOnlySpan<byte> message, Deadline deadline)
        => message.Length <= _maxRecordPayload ? PutWhole(message, deadline) : PutChunked(message, deadline);

    /// <summary>The claim word was not had in time: a completed ring still fails the put with its exception.</summary>
    private bool ClaimTimedOut() => IsCompleted ? throw EndedException() : false;

    private bool PutWhole(ReadOnlySpan<byte> message, Deadline deadline)
    {
        int recLen = L.RecordSize(message.Length);
        var spin = new SpinPhase(WaitTuning.QueueSpin);
        while (true)
        {
            if (!AcquireClaim(deadline)) return ClaimTimedOut();
            RecordHeader rec = default;
            RecordState claimed = default;
            long t;
            int need;
            bool room = false;
            try
            {
                if (IsCompleted) throw EndedException();
                t = ReadTail();
                int pad = PadBefore(t, recLen);
                need = pad + recLen;
                room = HasRoom(t, need, countsItem: true);
                if (room) (rec, claimed) = Claim(t, pad, recLen, message.Length, RecordKind.Whole);
            }
            finally
            {
                // Claimed: the publish's exchange below is the fence the deferred wake needs.
                if (room) ClaimLock.ReleaseDeferred();
                else ClaimLock.Release();
            }
            if (!room)
            {
                if (IsCompleted) throw EndedException();
                if (!WaitForSpace(ref spin, t, need, deadline)) return false;
                continue;
            }
            try
            {
                QueueRing.AfterClaimHook?.Invoke();
                message.CopyTo(new Span<byte>(rec.Payload, message.Length));
                Publish(rec, claimed);
            }
            finally
            {
                ClaimLock.WakeSleepers(); // behind Publish's fence (or, if the hook threw, the claim stays torn anyway)
            }
            return true;
        }
    }

    private bool PutChunked(ReadOnlySpan<byte> message, Deadline deadline)
    {
        // One producer holds the claim word for the whole message, so its chunks are contiguous in the ring; a
        // consumer holds the take word for the whole message, so one consumer gets all of it. Both may wait (for
        // space, for the next chunk) while holding them.
        if (!AcquireClaim(deadline)) return ClaimTimedOut();
        try
        {
            if (IsCompleted) throw EndedException();
            int sent = 0;
            bool first = true;
            var spin = new SpinPhase(WaitTuning.QueueSpin);
            while (sent < message.Length)
            {
                int prefix = first ? L.ChunkPrefix : 0;
                int chunk = Math.Min(message.Length - sent, _maxRecordPayload - prefix);
                var kind = first ? RecordKind.First : sent + chunk == message.Length ? RecordKind.Last : RecordKind.Middle;
                int recLen = L.RecordSize(prefix + chunk);
                long t = ReadTail();
                int pad = PadBefore(t, recLen);
                if (!HasRoom(t, pad + recLen, countsItem: first))
                {
                    // Giving up here leaves the chunks already sent: consumers see the claim word let go and drop them.
                    if (IsCompleted) throw EndedException();
                    if (!WaitForSpace(ref spin, t, pad + recLen, deadline)) return false;
                    continue;
                }
                var (rec, claimed) = Claim(t, pad, recLen, prefix + chunk, kind);
                if (first) QueueRing.AfterClaimHook?.Invoke();
                byte* dst = rec.Payload;
                if (first) { *(long*)dst = message.Length; dst += prefix; }
                message.Slice(sent, chunk).CopyTo(new Span<byte>(dst, chunk));
                Publish(rec, claimed);
                sent += chunk;
                first = false;
                spin.Reset();
            }
            return true;
        }
        finally
        {
            ClaimLock.Release();
            Wake(Data, always: true); // a consumer waiting for the next chunk learns the message ended or was abandoned
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool AcquireClaim(Deadline deadline)
    {
        switch (ClaimLock.Acquire(deadline, _stop))
        {
            case ClaimResult.TimedOut: return false;
            case ClaimResult.TookOver:
                try { FinishDeadClaim(); }
                catch { ClaimLock.Release(); throw; }
                break;
        }
        return true;
    }

    /// <summary>A producer died holding the claim word. If it committed a counted record (tail moved past it) but
    /// died before storing <c>enqueued</c>, store it now, so the count and the numbering stay exact.</summary>
    private void FinishDeadClaim()
    {
        long e = Volatile.Read(ref Long(L.EnqueuedOffset));
        long t = ReadTail();
        long last = Volatile.Read(ref Long(L.LastClaimOffset));
        if (last < 0 || last >= t || t - last > _capacity) return; // nothing committed since the last count
        var state = At(last).State;
        if (state.IsValid && state.IsCounted && state.Number == (e & L.NumberMask))
            Volatile.Write(ref Long(L.EnqueuedOffset), e + 1);
    }

    private long ReadTail()
    {
        long t = Volatile.Read(ref Long(L.TailOffset));
        if (t < 0 || (t & (L.RecordAlignment - 1)) != 0) throw Corrupt($"tail position {t} is not a record boundary");
        return t;
    }

    /// <summary>Bytes of padding needed before a record of <paramref name="recLen"/> at <paramref name="t"/> so it is not split by the ring end.</summary>
    private int PadBefore(long t, int recLen)
    {
        int off = OffsetOf(t);
        return _capacity - off < recLen ? _capacity - off : 0;
    }

    private bool HasRoom(long t, int need, bool countsItem)
    {
        if (countsItem && _maxItems > 0 && Long(L.EnqueuedOffset) - Volatile.Read(ref Long(L.DequeuedOffset)) >= _maxItems) return false;
        if (t + need - _cachedReleased <= _capacity && _cachedReleased <= t) return true;
        _cachedReleased = Volatile.Read(ref Long(L.ReleasedOffset));
        if (_cachedReleased > t || t - _cachedReleased > _capacity)
            throw Corrupt($"released position {_cachedReleased} is not within one ring of tail {t}");
        return t + need - _cachedReleased <= _capacity;
    }

    /// <summary>Writes the padding record (if any) and the Claimed header, clears the state word where the next record
    /// will start, commits them by moving tail, and counts a message; called under the claim word. The order (header,
    /// last claim, tail, enqueued) lets a taker-over finish the count of a holder killed between the last two
    /// (<see cref="FinishDeadClaim"/>).</summary>
    /// <remarks>The clear keeps the invariant a consumer's fast path relies on (<see cref="Take{TReader}"/>): the
    /// state word at tail is 0, a Claimed header of a claim in progress, or — when the ring is full to the last
    /// record — the header at <c>released</c>, which the consumer has passed (Taken or Consumed). So a Published Whole
    /// record at head is committed, and the consumer need not read tail (the producer's line) to know it.</remarks>
    private (RecordHeader, RecordState) Claim(long t, int pad, int recLen, int length, RecordKind kind)
    {
        int self = ProcessLiveness.Self;
        if (pad > 0)
        {
            At(t).Write(RecordState.Make(RecordStatus.Published, RecordKind.Padding, 0), pad - L.RecordHeaderSize, self);
            t += pad;
        }
        long e = Long(L.EnqueuedOffset);
        var rec = At(t);
        var claimed = RecordState.Make(RecordStatus.Claimed, kind, e);
        rec.Write(claimed, length, self);
        long next = t + recLen;
        // Only inside free space (released as last read is never ahead of the real one); ordered before the tail and
        // the publish by their release stores.
        if (next + L.RecordAlignment - _cachedReleased <= _capacity) At(next).Clear();
        Volatile.Write(ref Long(L.LastClaimOffset), t);
        Volatile.Write(ref Long(L.TailOffset), t + recLen);
        if (claimed.IsCounted) Volatile.Write(ref Long(L.EnqueuedOffset), e + 1);
        return (rec, claimed);
    }

    private void Publish(RecordHeader rec, RecordState claimed)
    {
        rec.Publish(claimed);
        Wake(Data);
    }

    private bool WaitForSpace(ref SpinPhase spin, long t, int need, Deadline deadline)
    {
        // Consumers move released in batches (FreeSpace): a producer short of space moves it over what they consumed
        // since, before it gives up, every AdvanceSteps spin steps, and before it parks.
        if (deadline.HasPassed) return AdvanceReleased(checkDead: true) && HasRoomNow(t, need);
        if (spin.Spin())
        {
            if (spin.Count % AdvanceSteps == 0) AdvanceReleased(checkDead: false);
            return true;
        }
        AdvanceReleased(checkDead: true); // consumers killed mid-take leave Taken records behind
        QueueRing.CountPark();
        return Space.Wait(static s => s.Ring.IsCompleted || s.Ring.HasRoomNow(s.Tail, s.Need), (Ring: this, Tail: t, Need: need),
            deadline, WaitTuning.LivenessSliceMs, _stop);
    }

    /// <summary>True when <paramref name="need"/> bytes fit at tail <paramref name="t"/> and the item limit allows one
    /// more. Short of space, it first moves <c>released</c> over what consumers consumed and have not released yet
    /// (they release in batches: <see cref="FreeSpace"/>).</summary>
    private bool HasRoomNow(long t, int need)
    {
        if (_maxItems > 0 && Volatile.Read(ref Long(L.EnqueuedOffset)) - Volatile.Read(ref Long(L.DequeuedOffset)) >= _maxItems) return false;
        return t + need - Volatile.Read(ref Long(L.ReleasedOffset)) <= _capacity
            || (AdvanceReleased(checkDead: false) && t + need - Volatile.Read(ref Long(L.ReleasedOffset)) <= _capacity);
    }

    // ---------------------------------------------------------------- consumers

    /// <summary>Takes one whole message and hands it to <paramref name="reader"/>.</summary>
    public TakeOutcome Take<TReader>(ref TReader reader, Deadline deadline) where TReader : IRecordReader, allows ref struct
    {
        var spin = new SpinPhase(WaitTuning.QueueSpin);
        long livenessDue = 0; // TickCount64 ms: holders' liveness (a /proc read each) is looked at once per slice
        while (true)
        {
            if (TakeLock.Acquire(deadline, _stop) == ClaimResult.TimedOut) return TakeOutcome.TimedOut;
            bool locked = true;
            try
            {
                long h = ReadHead();
                var rec = At(h);
                var state = rec.State;
                long tail = _cachedTail;
                if (h >= tail)
                {
                    // The header first, the producers' tail only when it cannot tell (see Claim's remarks): a waiting
                    // consumer then reads one line, the record's, and leaves the producers' line to them.
                    if (state.Status == RecordStatus.Published && state.Kind == RecordKind.Whole) tail = UnknownTail;
                    else if (state.Word == 0 && !spin.IsExhausted) tail = h; // nothing claimed here yet
                    else
                    {
                        tail = _cachedTail = Volatile.Read(ref Long(L.TailOffset));
                        state = rec.State; // read after the tail, so a committed record's header is complete
                    }
                }
                if (h >= tail)
                {
                    TakeLock.Release();
                    locked = false;
                    // Ended and drained: every holder closed (or died: looked at once spinning is over) or Complete().
                    // Not while spinning, nor for a non-blocking take: a /proc read per empty TryGet would cost more
                    // than the take (a holder that died without closing is then seen by the next blocking take).
                    bool checkLiveness = false;
                    if (spin.IsExhausted)
                    {
                        long now = Environment.TickCount64;
                        if (now >= livenessDue) { checkLiveness = true; livenessDue = now + WaitTuning.LivenessSliceMs; }
                    }
                    // Ended first, then the tail: the last producer advances the tail before it closes or completes,
                    // so a tail read after seeing the end sees its last message (read the other way round, a message
                    // put just before the close could be reported as end of stream and lost).
                    if (HasEnded(checkLiveness) && Volatile.Read(ref Long(L.TailOffset)) <= h) return TakeOutcome.Closed;
                    if (!WaitForData(ref spin, h, state.Word, deadline)) return TakeOutcome.TimedOut;
                    continue;
                }
                int length = rec.Length;
                int recLen = CheckRecord(h, state, length, tail);
                if (state.Status == RecordStatus.Claimed)
                {
                    if ((spin.IsExhausted || deadline.HasPassed) && !ProcessLiveness.IsAlive(rec.Producer))
                    {
                        // Claimed by a process that died before publishing: the torn record is skipped, never delivered.
                        if (state.IsCounted) CountTorn(state);
                        locked = false;
                        SkipAtHead(rec, state, h, recLen);
                        continue;
                    }
                    TakeLock.Release();
                    locked = false;
                    if (!WaitForData(ref spin, h, state.Word, deadline)) return TakeOutcome.TimedOut;
                    continue;
                }
                if (state.Status == RecordStatus.Consumed || !state.IsCounted)
                {
                    // Padding, a record a dead taker had already finished, or the rest of a message whose first
                    // part a dead consumer took: nothing to deliver.
                    locked = false;
                    SkipAtHead(rec, state, h, recLen);
                    continue;
                }
                // Published (or Taken by a consumer that died before it moved head: nobody has copied it yet).
                if (state.Kind == RecordKind.First)
                {
                    locked = false;
                    if (TakeChunked(ref reader, rec, state, h, length)) return TakeOutcome.Taken;
                    continue;
                }
                Dequeue(state);
                rec.MarkTaken(state, ProcessLiveness.Self);
                Volatile.Write(ref Long(L.HeadOffset), h + recLen);
                TakeLock.ReleaseDeferred();
                locked = false;
                try
                {
                    QueueRing.AfterTakeHook?.Invoke();
                    reader.Read(new ReadOnlySpan<byte>(rec.Payload, length));
                }
                finally
                {
                    Release(rec, state, h + recLen); // ends with a full fence (FreeSpace): the deferred wake may follow
                    TakeLock.WakeSleepers();
                }
                return TakeOutcome.Taken;
            }
            finally
            {
                if (locked) TakeLock.Release();
            }
        }
    }

    private long ReadHead()
    {
        long h = Volatile.Read(ref Long(L.HeadOffset));
        if (h < 0 || (h & (L.RecordAlignment - 1)) != 0) throw Corrupt($"head position {h} is not a record boundary");
        return h;
    }

    /// <summary>Checks the record at <paramref name="h"/> as a consumer sees it (under the take word, below
    /// <paramref name="tail"/>, or <see cref="UnknownTail"/> when its header showed it committed) and returns its size
    /// in the ring.</summary>
    private int CheckRecord(long h, RecordState state, int length, long tail)
    {
        if (!state.IsValid) throw Corrupt($"record at {h} has state word 0x{state.Word:X8}");
        if (tail != UnknownTail && tail - h > _capacity) throw Corrupt($"tail {tail} is more than one ring ahead of head {h}");
        int off = OffsetOf(h);
        int max = state.Kind == RecordKind.Padding ? _capacity - off - L.RecordHeaderSize : _maxRecordPayload;
        if (length < 0 || length > max || (state.Kind == RecordKind.Padding && length != max))
            throw Corrupt($"record at {h} ({state}) has length {length}");
        int recLen = L.RecordSize(length);
        if (off + recLen > _capacity || h + recLen > tail) throw Corrupt($"record at {h} ({state}, {length} bytes) runs past the ring end or tail");
        return recLen;
    }

    /// <summary>Counts a message out: <c>dequeued</c> becomes its number + 1. Stored, not incremented, so a
    /// consumer that retakes a record after a taker was killed stores the same value.</summary>
    private void Dequeue(RecordState state)
    {
        long d = Long(L.DequeuedOffset);
        long delta = (state.Number - d) & L.NumberMask;
        if (delta == L.NumberMask) return; // already counted by a taker killed before it moved head
        if (delta != 0) throw Corrupt($"message number {state.Number} at head does not follow {d}");
        Volatile.Write(ref Long(L.DequeuedOffset), d + 1);
    }

    /// <summary>Counts a torn message (and takes it out of the joinable count): the count and the message's number
    /// in one store, so a retake after a kill does not count it twice.</summary>
    private void CountTorn(RecordState state)
    {
        Dequeue(state);
        MarkTorn(Volatile.Read(ref Long(L.DequeuedOffset)) - 1);
    }

    /// <summary>Adds message <paramref name="number"/> to the torn count unless it is the one counted last (a retake
    /// after a kill): the count and the mark go in one store.</summary>
    private void MarkTorn(long number)
    {
        long torn = Long(L.TornOffset);
        uint mark = (uint)(number + 1); // 0 means "none yet"
        if ((uint)torn == mark) return;
        Volatile.Write(ref Long(L.TornOffset), (long)(((ulong)JoinableCounter.TornCount(torn) + 1) << 32 | mark));
        Joinable.NotifyIfJoined();
    }

    /// <summary>Marks the record at head consumed and moves past it; called under the take word, which it releases.</summary>
    private void SkipAtHead(RecordHeader rec, RecordState state, long h, int recLen)
    {
        rec.MarkConsumed(state);
        Volatile.Write(ref Long(L.HeadOffset), h + recLen);
        TakeLock.Release();
        FreeSpace(h + recLen);
    }

    private void Release(RecordHeader rec, RecordState state, long head)
    {
        rec.MarkConsumed(state);
        FreeSpace(head);
    }

    /// <summary>After a consumer marked a record consumed (head then at or past <paramref name="head"/>): moves
    /// <c>released</c> on once this process has consumed <see cref="_releaseBatch"/> bytes since it last did, or at
    /// once when a producer sleeps for space, and wakes sleeping producers. Released per message, a ring kept full
    /// by a faster producer costs two line transfers a message: the producer re-reads <c>released</c> after each
    /// one, and claims the record beside the one being read. In batches the producer finds room for a batch at a
    /// time, written away from the consumer. Space consumed and not yet released is not lost: a producer short of
    /// space moves <c>released</c> itself (<see cref="HasRoomNow"/>, <see cref="WaitForSpace"/>).</summary>
    /// <remarks>The consumed mark must be visible before the sleeper count is read (event-count pattern; a parking
    /// producer registers, then moves <c>released</c> in its condition): a full fence, which a move's CAS provides.</remarks>
    private void FreeSpace(long head)
    {
        bool fenced = false;
        if (head - _releaseMark >= _releaseBatch)
        {
            _releaseMark = head;
            fenced = AdvanceReleased(checkDead: false);
        }
        if (!fenced) Interlocked.MemoryBarrier();
        if (!Space.HasSleepers) return;
        _releaseMark = head;
        AdvanceReleased(checkDead: false);
        Wake(Space, always: true);
    }

    /// <summary>Receives a chunked message, holding the take word throughout (entered with it held; releases it).
    /// False when the producer died or gave up part-way: the partial message is dropped (and counted torn).</summary>
    private bool TakeChunked<TReader>(ref TReader reader, RecordHeader rec, RecordState firstState, long h, int length)
        where TReader : IRecordReader, allows ref struct
    {
        int producer = rec.Producer;
        if (length < L.ChunkPrefix) { TakeLock.Release(); throw Corrupt($"first chunk at {h} has length {length}"); }
        long total = *(long*)rec.Payload;
        int got = length - L.ChunkPrefix;
        if (total <= got || total > Array.MaxLength) { TakeLock.Release(); throw Corrupt($"chunked message at {h} claims {total} bytes"); }
        // Grown as chunks arrive, so a corrupt total cannot make us allocate what was never sent.
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(total, 4L * _maxRecordPayload));
        bool locked = true;
        try
        {
            new ReadOnlySpan<byte>(rec.Payload + L.ChunkPrefix, got).CopyTo(buffer);
            Dequeue(firstState);
            Consume(rec, firstState, h, L.RecordSize(length));
            QueueRing.AfterTakeHook?.Invoke();
            var spin = new SpinPhase(WaitTuning.QueueSpin);
            while (got < total)
            {
                h = ReadHead();
                long tail = Volatile.Read(ref Long(L.TailOffset));
                if (h >= tail)
                {
                    // Did the producer finish, give up or die? It holds the claim word for the whole message.
                    if (ClaimLock.Holder != producer && h >= Volatile.Read(ref Long(L.TailOffset))) return Abandon(firstState);
                    if (spin.IsExhausted && !ProcessLiveness.IsAlive(producer)) return Abandon(firstState);
                    WaitForDataHolding(ref spin, h);
                    continue;
                }
                rec = At(h);
                var state = rec.State;
                length = rec.Length;
                int recLen = CheckRecord(h, state, length, tail);
                if (state.Status == RecordStatus.Claimed)
                {
                    if (spin.IsExhausted && !ProcessLiveness.IsAlive(producer)) return Abandon(firstState); // the torn chunk is skipped by the next take
                    WaitForDataHolding(ref spin, h);
                    continue;
                }
                if (state.Kind == RecordKind.Padding) { Consume(rec, state, h, recLen); continue; }
                if (state.Kind is not (RecordKind.Middle or RecordKind.Last) || rec.Producer != producer) return Abandon(firstState);
                if (length > total - got) throw Corrupt($"chunks at {h} add up to more than the {total} bytes announced");
                if (got + length > buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(total, 2L * (got + length)));
                    buffer.AsSpan(0, got).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                new ReadOnlySpan<byte>(rec.Payload, length).CopyTo(buffer.AsSpan(got));
                got += length;
                Consume(rec, state, h, recLen);
                spin.Reset();
            }
            TakeLock.Release();
            locked = false;
            reader.Read(buffer.AsSpan(0, (int)total));
            return true;
        }
        finally
        {
            if (locked) TakeLock.Release();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Drops a partly received message: it will never be delivered, so it leaves the joinable count.</summary>
    private bool Abandon(RecordState firstState)
    {
        CountTornAfterDequeue(firstState);
        return false;
    }

    private void CountTornAfterDequeue(RecordState firstState)
    {
        // The First record was already dequeued; its full number is dequeued - 1 only if nothing else moved it, which
        // holds because we still hold the take word.
        long number = Volatile.Read(ref Long(L.DequeuedOffset)) - 1;
        if ((number & L.NumberMask) != firstState.Number) return;
        MarkTorn(number);
    }

    /// <summary>Consumes the record at head while keeping the take word (chunked messages).</summary>
    private void Consume(RecordHeader rec, RecordState state, long h, int recLen)
    {
        rec.MarkConsumed(state);
        Volatile.Write(ref Long(L.HeadOffset), h + recLen);
        FreeSpace(h + recLen);
    }

    /// <summary>Waits for the state word of the record at <paramref name="h"/> to change from <paramref name="seen"/>:
    /// spins reading that word only (the line a producer's claim and publish write: no CAS, no clock read, nothing a
    /// producer writes elsewhere), for at most <see cref="RecheckSteps"/> steps before the caller looks at the rest
    /// (end of stream, deadline, tail) again; sleeps on the data event count once the spin budget is spent.</summary>
    private bool WaitForData(ref SpinPhase spin, long h, int seen, Deadline deadline)
    {
        if (deadline.HasPassed) return false; // also makes a non-blocking take return at once
        var rec = At(h);
        for (int i = 0; i < RecheckSteps; i++)
        {
            if (!spin.Spin()) return SleepOnData(h, deadline);
            if (rec.State.Word != seen) break;
        }
        return true;
    }

    private void WaitForDataHolding(ref SpinPhase spin, long h)
    {
        if (spin.Spin()) return;
        SleepOnData(h, Deadline.Infinite);
    }

    private bool SleepOnData(long h, Deadline deadline)
    {
        QueueRing.CountPark();
        return Data.Wait(static s => s.Ring.HasEnded(checkLiveness: false) || s.Ring.IsReadable(s.Head), (Ring: this, Head: h),
            deadline, WaitTuning.LivenessSliceMs, _stop);
    }

    /// <summary>True when the record at <paramref name="h"/> is committed and no longer being written.</summary>
    private bool IsReadable(long h)
        => Volatile.Read(ref Long(L.TailOffset)) > h && At(h).State.Status != RecordStatus.Claimed;

    /// <summary>Moves <c>released</c> over the consumed records at its front, with one CAS for the whole run of them:
    /// any consumer (or a producer short of space) may do it; a stale read loses the CAS because positions only grow,
    /// and while <c>released</c> stays put no record at or above it can be reused, so the run read is still consumed
    /// when the CAS succeeds. With <paramref name="checkDead"/>, a Taken record whose consumer died is marked consumed
    /// first. True when it ran an interlocked instruction (a full fence), which it does only when <c>released</c>
    /// moved (by this call or, for a lost CAS, by another process) or a dead consumer's record was freed.</summary>
    private bool AdvanceReleased(bool checkDead)
    {
        bool fenced = false;
        while (true)
        {
            long r = Volatile.Read(ref Long(L.ReleasedOffset));
            long h = Volatile.Read(ref Long(L.HeadOffset));
            if (r >= h) return fenced;
            if (r < 0 || (r & (L.RecordAlignment - 1)) != 0 || h - r > _capacity)
            {
                // Head was read after released: others may have moved both on meanwhile. Only a released that stays
                // put while out of range is corrupt.
                if (Volatile.Read(ref Long(L.ReleasedOffset)) != r) continue;
                throw Corrupt($"released position {r} is not a record boundary within one ring of head {h}");
            }
            var (to, retry) = ConsumedRun(r, h, checkDead, ref fenced);
            if (retry) continue;
            if (to == r) return fenced;
            fenced = true;
            // Won: every record from r to `to` is released, and the run ended at a record not consumed (or at head).
            if (Interlocked.CompareExchange(ref Long(L.ReleasedOffset), to, r) == r) return true;
        }
    }

    /// <summary>The end of the run of consumed records from <paramref name="r"/> (released as read) towards
    /// <paramref name="h"/>; retry when <c>released</c> moved meanwhile (what was read may be torn).</summary>
    private (long To, bool Retry) ConsumedRun(long r, long h, bool checkDead, ref bool fenced)
    {
        long p = r;
        while (p < h)
        {
            var rec = At(p);
            var state = rec.State;
            int len = rec.Length;
            if (state.Status != RecordStatus.Consumed)
            {
                if (checkDead && state.Status == RecordStatus.Taken && !ProcessLiveness.IsAlive(rec.Consumer))
                {
                    // The consumer died while copying: its item is lost, its space is not.
                    rec.TryMarkConsumed(state);
                    fenced = true;
                    continue;
                }
                if (!state.IsValid)
                {
                    if (Volatile.Read(ref Long(L.ReleasedOffset)) != r) return (p, true);
                    throw Corrupt($"record at {p} below head has state word 0x{state.Word:X8}");
                }
                return (p, false);
            }
            int recLen = L.RecordSize(len);
            if (len < 0 || OffsetOf(p) + recLen > _capacity || p + recLen > h)
            {
                // A reused header read after another process moved released past it is torn; anything else is corrupt.
                if (Volatile.Read(ref Long(L.ReleasedOffset)) != r) return (p, true);
                throw Corrupt($"consumed record at {p} has length {len}");
            }
            p += recLen;
        }
        return (p, false);
    }

    // ---------------------------------------------------------------- probes for async waiters (QueueAsync)

    /// <summary>The event count consumers sleep on: publishes and the end of the stream bump it.</summary>
    public EventCount DataEvent => Data;

    /// <summary>The event count producers sleep on: consumers freeing space and <see cref="Complete"/> bump it.</summary>
    public EventCount SpaceEvent => Space;

    /// <summary>The producers' claim word (an async producer whose attempt lost to another holder waits on it).</summary>
    public ClaimWord ProducerWord => ClaimLock;

    /// <summary>The consumers' take word (an async consumer whose attempt lost to another holder waits on it).</summary>
    public ClaimWord ConsumerWord => TakeLock;

    /// <summary>Largest payload of one record: a longer message travels in chunks.</summary>
    public int MaxRecordPayload => _maxRecordPayload;

    /// <summary>True when the record at head is committed and published, so a take would deliver or skip it without
    /// waiting for a producer. Reads only: no lock, no liveness check.</summary>
    public bool IsReadableAtHead => IsReadable(Volatile.Read(ref Long(L.HeadOffset)));

    /// <summary>True when a whole (unchunked) record of <paramref name="length"/> payload bytes fits now, item limit
    /// included. Short of space it first moves <c>released</c> over consumed records (<see cref="HasRoomNow"/>), the
    /// only write it makes.</summary>
    public bool HasRoomFor(int length)
    {
        long t = Volatile.Read(ref Long(L.TailOffset));
        int recLen = L.RecordSize(length);
        return HasRoomNow(t, PadBefore(t, recLen) + recLen);
    }

    /// <summary>The producer of a record at head still Claimed (being written), else 0. Reads only (a liveness
    /// watch's look: a torn value merely causes a spurious wake).</summary>
    public int HeadClaimedBy
    {
        get
        {
            long h = Volatile.Read(ref Long(L.HeadOffset));
            if (Volatile.Read(ref Long(L.TailOffset)) <= h) return 0;
            var rec = At(h);
            return rec.State.Status == RecordStatus.Claimed ? rec.Producer : 0;
        }
    }

    /// <summary>The consumer of the record at <c>released</c> if it is Taken (being copied out), else 0: space
    /// behind it is freed only when it is consumed. Reads only.</summary>
    public int ReleasedTakenBy
    {
        get
        {
            long r = Volatile.Read(ref Long(L.ReleasedOffset));
            if (Volatile.Read(ref Long(L.HeadOffset)) <= r) return 0;
            var rec = At(r);
            return rec.State.Status == RecordStatus.Taken ? rec.Consumer : 0;
        }
    }

    private static IpcSegmentCorruptedException Corrupt(string what) => new($"The queue's shared memory is corrupt: {what}.");
}
