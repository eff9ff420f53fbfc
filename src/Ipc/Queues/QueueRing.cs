using System.Buffers;
using System.Runtime.CompilerServices;
using NativeIpc.Os;
using L = NativeIpc.Queues.QueueLayout;

namespace NativeIpc.Queues;

/// <summary>Receives one whole message's bytes, valid only during the call.</summary>
internal interface IRecordReader
{
    void Read(ReadOnlySpan<byte> message);
}

/// <summary>What a take found.</summary>
internal enum TakeOutcome { Taken, TimedOut, Closed }

/// <summary>The byte ring under every queue (<see cref="QueueLayout"/>). Claims are made under tiny pid-owned claim
/// words (a CAS and three stores), copies happen outside them in parallel, and publication is one release store
/// of the record's state word. Every state a SIGKILL can leave is recoverable: a claim word whose pid is dead is
/// taken over, a Claimed record whose producer is dead is skipped, a Taken record whose consumer is dead is freed.</summary>
internal sealed unsafe class QueueRing
{
    /// <summary>Test hook run after a producer claimed a record and before it publishes it.</summary>
    internal static Action? AfterClaimHook;

    /// <summary>Test hook run after a consumer took a record and before it marks it consumed.</summary>
    internal static Action? AfterTakeHook;

    /// <summary>Spin iterations (each a short pause, every 64th a yield) before a waiter sleeps on a shared word.
    /// Tunable with the NATIVEIPC_QUEUE_SPIN environment variable: 0 sleeps at once (best when processes outnumber
    /// cores), larger values trade CPU for latency.</summary>
    internal static int SpinBudget = int.TryParse(Environment.GetEnvironmentVariable("NATIVEIPC_QUEUE_SPIN"), out int n) && n >= 0 ? n : 2000;

    /// <summary>The sleep/wake seam (a test may count its calls).</summary>
    internal static IAddressWaiter Waiter = OsLayer.Waiter;

    /// <summary>Longest single sleep, after which dead peers are looked for again.</summary>
    private const int SliceMs = 50;

    private static readonly int s_pid = ProcessLiveness.Self;

    private readonly byte* _ctl;
    private readonly byte* _ring;
    private readonly int _capacity;
    private readonly long _mask;
    private readonly int _maxItems;
    private readonly int _maxRecordPayload;
    private long _cachedReleased;
    private long _cachedTail;

    public QueueRing(byte* control)
    {
        _ctl = control;
        _ring = control + L.RingOffset;
        _capacity = *(int*)(control + L.CapacityOffset);
        _mask = _capacity - 1;
        _maxItems = *(int*)(control + L.MaxItemsOffset);
        _maxRecordPayload = L.MaxRecordPayload(_capacity);
    }

    /// <summary>Writes a fresh control block (creator only, before the segment is marked ready).</summary>
    public static void Initialize(byte* control, int capacity, int maxItems)
    {
        new Span<byte>(control, L.RingOffset).Clear();
        *(int*)(control + L.CapacityOffset) = capacity;
        *(int*)(control + L.MaxItemsOffset) = maxItems;
    }

    public int Capacity => _capacity;

    private ref int Int(int offset) => ref *(int*)(_ctl + offset);
    private ref long Long(int offset) => ref *(long*)(_ctl + offset);
    private int* IntPtr(int offset) => (int*)(_ctl + offset);

    public bool IsClosed => Volatile.Read(ref Int(L.ClosedOffset)) != 0;

    /// <summary>Messages claimed minus messages taken: approximate by nature.</summary>
    public long Count => Math.Max(0, Volatile.Read(ref Long(L.EnqueuedOffset)) - Volatile.Read(ref Long(L.DequeuedOffset)));

    public bool HasData => Volatile.Read(ref Long(L.HeadOffset)) < Volatile.Read(ref Long(L.TailOffset));

    /// <summary>True when a small message would not fit now.</summary>
    public bool IsFull
    {
        get
        {
            if (_maxItems > 0 && Count >= _maxItems) return true;
            return Volatile.Read(ref Long(L.TailOffset)) + 2 * L.RecordHeaderSize + 16 - Volatile.Read(ref Long(L.ReleasedOffset)) > _capacity;
        }
    }

    public int* UnfinishedWord => IntPtr(L.UnfinishedOffset);

    public void Close()
    {
        Interlocked.Exchange(ref Int(L.ClosedOffset), 1);
        Bump(L.DataSeqOffset);
        Bump(L.SpaceSeqOffset);
    }

    private void Bump(int seqOffset)
    {
        Interlocked.Increment(ref Int(seqOffset));
        Waiter.Wake(IntPtr(seqOffset), int.MaxValue);
    }

    // ---------------------------------------------------------------- producers

    /// <summary>Enqueues one message. False when <paramref name="deadline"/> passed while full.</summary>
    /// <exception cref="IpcQueueClosedException">The queue is closed.</exception>
    public bool Put(ReadOnlySpan<byte> message, long deadline)
    {
        if (IsClosed) throw new IpcQueueClosedException();
        return message.Length <= _maxRecordPayload ? PutWhole(message, deadline) : PutChunked(message, deadline);
    }

    private bool PutWhole(ReadOnlySpan<byte> message, long deadline)
    {
        int recLen = L.RecordSize(message.Length);
        int spins = 0;
        while (true)
        {
            if (!AcquireLock(L.ClaimLockOffset, deadline)) return false;
            long t = Long(L.TailOffset);
            int pad = PadBefore(t, recLen);
            if (!HasRoom(t, pad + recLen, countsItem: true))
            {
                ReleaseLock(L.ClaimLockOffset);
                if (IsClosed) throw new IpcQueueClosedException();
                if (!WaitForSpace(ref spins, t, pad + recLen, deadline)) return false;
                continue;
            }
            byte* rec = ClaimRecord(ref t, pad, message.Length, L.KindWhole);
            Volatile.Write(ref Long(L.EnqueuedOffset), Long(L.EnqueuedOffset) + 1);
            Volatile.Write(ref Long(L.TailOffset), t + recLen);
            ReleaseLock(L.ClaimLockOffset);
            AfterClaimHook?.Invoke();
            message.CopyTo(new Span<byte>(rec + L.RecordHeaderSize, message.Length));
            Publish(rec, L.KindWhole);
            return true;
        }
    }

    private bool PutChunked(ReadOnlySpan<byte> message, long deadline)
    {
        // One producer holds the claim lock for the whole message, so its chunks are contiguous in the ring;
        // a consumer holds the take lock for the whole message, so one consumer gets all of it.
        if (!AcquireLock(L.ClaimLockOffset, deadline)) return false;
        try
        {
            int sent = 0, spins = 0;
            bool first = true;
            while (sent < message.Length)
            {
                int prefix = first ? L.ChunkPrefix : 0;
                int chunk = Math.Min(message.Length - sent, _maxRecordPayload - prefix);
                int kind = first ? L.KindFirst : sent + chunk == message.Length ? L.KindLast : L.KindMiddle;
                int recLen = L.RecordSize(prefix + chunk);
                long t = Long(L.TailOffset);
                int pad = PadBefore(t, recLen);
                if (!HasRoom(t, pad + recLen, countsItem: first))
                {
                    // Still holding the claim lock: other producers wait behind this message. If we give up
                    // here, consumers see the claim lock let go and drop the chunks already sent.
                    if (IsClosed) throw new IpcQueueClosedException();
                    if (!WaitForSpace(ref spins, t, pad + recLen, deadline)) return false;
                    continue;
                }
                byte* rec = ClaimRecord(ref t, pad, prefix + chunk, kind);
                if (first) Volatile.Write(ref Long(L.EnqueuedOffset), Long(L.EnqueuedOffset) + 1);
                Volatile.Write(ref Long(L.TailOffset), t + recLen);
                if (first) AfterClaimHook?.Invoke();
                byte* dst = rec + L.RecordHeaderSize;
                if (first) { *(long*)dst = message.Length; dst += prefix; }
                message.Slice(sent, chunk).CopyTo(new Span<byte>(dst, chunk));
                Publish(rec, kind);
                sent += chunk;
                first = false;
                spins = 0;
            }
            return true;
        }
        finally
        {
            ReleaseLock(L.ClaimLockOffset);
            Bump(L.DataSeqOffset); // a consumer waiting for the next chunk learns the message ended or was abandoned
        }
    }

    /// <summary>Bytes of padding needed before a record of <paramref name="recLen"/> at <paramref name="t"/> so it is not split by the ring end.</summary>
    private int PadBefore(long t, int recLen)
    {
        int off = (int)(t & _mask);
        return _capacity - off < recLen ? _capacity - off : 0;
    }

    private bool HasRoom(long t, int need, bool countsItem)
    {
        if (countsItem && _maxItems > 0 && Long(L.EnqueuedOffset) - Volatile.Read(ref Long(L.DequeuedOffset)) >= _maxItems) return false;
        if (t + need - _cachedReleased <= _capacity) return true;
        _cachedReleased = Volatile.Read(ref Long(L.ReleasedOffset));
        return t + need - _cachedReleased <= _capacity;
    }

    /// <summary>Writes the padding record (if any) and the Claimed header; called under the claim lock.</summary>
    private byte* ClaimRecord(ref long t, int pad, int length, int kind)
    {
        if (pad > 0)
        {
            byte* p = _ring + (t & _mask);
            *(int*)(p + L.RecordLengthOffset) = pad - L.RecordHeaderSize;
            *(int*)(p + L.RecordProducerOffset) = s_pid;
            *(int*)(p + L.RecordConsumerOffset) = 0;
            Volatile.Write(ref *(int*)(p + L.RecordStateOffset), L.StateWord(L.StatePublished, L.KindPadding));
            t += pad;
        }
        byte* rec = _ring + (t & _mask);
        *(int*)(rec + L.RecordLengthOffset) = length;
        *(int*)(rec + L.RecordProducerOffset) = s_pid;
        *(int*)(rec + L.RecordConsumerOffset) = 0;
        Volatile.Write(ref *(int*)(rec + L.RecordStateOffset), L.StateWord(L.StateClaimed, kind));
        return rec;
    }

    private void Publish(byte* rec, int kind)
    {
        // The exchange is a full fence: the waiter count read after it cannot be stale (event-count pattern).
        Interlocked.Exchange(ref *(int*)(rec + L.RecordStateOffset), L.StateWord(L.StatePublished, kind));
        if (Volatile.Read(ref Int(L.DataWaitersOffset)) != 0) Bump(L.DataSeqOffset);
    }

    private bool WaitForSpace(ref int spins, long t, int need, long deadline)
    {
        if (deadline <= Environment.TickCount64)
        {
            AdvanceReleased(checkDead: true);
            return false;
        }
        if (spins++ < SpinBudget)
        {
            if ((spins & 63) == 0) { AdvanceReleased(checkDead: false); Thread.Yield(); }
            else Thread.SpinWait(10);
            return true;
        }
        AdvanceReleased(checkDead: true); // consumers killed mid-take leave Taken records behind
        long left = Remaining(deadline);
        if (left <= 0) return false;
        Interlocked.Increment(ref Int(L.SpaceWaitersOffset));
        int seq = Volatile.Read(ref Int(L.SpaceSeqOffset));
        _cachedReleased = Volatile.Read(ref Long(L.ReleasedOffset));
        bool full = t + need - _cachedReleased > _capacity
            || (_maxItems > 0 && Volatile.Read(ref Long(L.EnqueuedOffset)) - Volatile.Read(ref Long(L.DequeuedOffset)) >= _maxItems);
        if (full && !IsClosed) Waiter.Wait(IntPtr(L.SpaceSeqOffset), seq, (int)Math.Min(left, SliceMs));
        Interlocked.Decrement(ref Int(L.SpaceWaitersOffset));
        return true;
    }

    // ---------------------------------------------------------------- consumers

    /// <summary>Takes one whole message and hands it to <paramref name="reader"/>.</summary>
    public TakeOutcome Take<TReader>(ref TReader reader, long deadline) where TReader : IRecordReader, allows ref struct
    {
        int spins = 0;
        while (true)
        {
            if (!AcquireLock(L.TakeLockOffset, deadline)) return TakeOutcome.TimedOut;
            long h = Long(L.HeadOffset);
            if (h >= _cachedTail) _cachedTail = Volatile.Read(ref Long(L.TailOffset));
            if (h >= _cachedTail)
            {
                ReleaseLock(L.TakeLockOffset);
                if (IsClosed && Volatile.Read(ref Long(L.TailOffset)) <= h) return TakeOutcome.Closed;
                if (!WaitForData(ref spins, h, deadline)) return TakeOutcome.TimedOut;
                continue;
            }
            byte* rec = _ring + (h & _mask);
            int word = Volatile.Read(ref *(int*)(rec + L.RecordStateOffset));
            int state = word & 0xFF, kind = word >> 8;
            int length = *(int*)(rec + L.RecordLengthOffset);
            int recLen = L.RecordSize(length);
            if (state == L.StateClaimed)
            {
                int producer = *(int*)(rec + L.RecordProducerOffset);
                if ((spins >= SpinBudget || deadline <= Environment.TickCount64) && !IsAlive(producer))
                {
                    // Claimed by a process that died before publishing: the torn record is skipped, never delivered.
                    SkipAtHead(rec, h, recLen, kind);
                    continue;
                }
                ReleaseLock(L.TakeLockOffset);
                if (!WaitForData(ref spins, h, deadline)) return TakeOutcome.TimedOut;
                continue;
            }
            if (state == L.StateConsumed || kind is L.KindPadding or L.KindMiddle or L.KindLast)
            {
                // Padding, a record a dead taker had already finished, or the rest of a message whose first
                // part a dead consumer took: nothing to deliver.
                SkipAtHead(rec, h, recLen, kind);
                continue;
            }
            // Published (or Taken by a consumer that died before it moved head: nobody has copied it yet).
            if (kind == L.KindFirst)
            {
                if (TakeChunked(ref reader, rec, h)) return TakeOutcome.Taken;
                continue;
            }
            *(int*)(rec + L.RecordConsumerOffset) = s_pid;
            Volatile.Write(ref *(int*)(rec + L.RecordStateOffset), L.StateWord(L.StateTaken, kind));
            Volatile.Write(ref Long(L.DequeuedOffset), Long(L.DequeuedOffset) + 1);
            Volatile.Write(ref Long(L.HeadOffset), h + recLen);
            ReleaseLock(L.TakeLockOffset);
            try
            {
                AfterTakeHook?.Invoke();
                reader.Read(new ReadOnlySpan<byte>(rec + L.RecordHeaderSize, length));
            }
            finally
            {
                Release(rec, kind);
            }
            return TakeOutcome.Taken;
        }
    }

    /// <summary>Marks the record at head consumed and moves past it; called under the take lock, which it releases.</summary>
    private void SkipAtHead(byte* rec, long h, int recLen, int kind)
    {
        Volatile.Write(ref *(int*)(rec + L.RecordStateOffset), L.StateWord(L.StateConsumed, kind));
        Volatile.Write(ref Long(L.HeadOffset), h + recLen);
        ReleaseLock(L.TakeLockOffset);
        AdvanceReleased(checkDead: false);
        NotifySpace();
    }

    private void Release(byte* rec, int kind)
    {
        Volatile.Write(ref *(int*)(rec + L.RecordStateOffset), L.StateWord(L.StateConsumed, kind));
        AdvanceReleased(checkDead: false);
        NotifySpace();
    }

    private void NotifySpace()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref Int(L.SpaceWaitersOffset)) != 0) Bump(L.SpaceSeqOffset);
    }

    /// <summary>Receives a chunked message, holding the take lock throughout (entered with it held; releases it).
    /// False when the producer died or gave up part-way: the partial message is dropped.</summary>
    private bool TakeChunked<TReader>(ref TReader reader, byte* rec, long h) where TReader : IRecordReader, allows ref struct
    {
        int producer = *(int*)(rec + L.RecordProducerOffset);
        int length = *(int*)(rec + L.RecordLengthOffset);
        int total = (int)*(long*)(rec + L.RecordHeaderSize);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(total);
        bool lockHeld = true;
        try
        {
            int got = length - L.ChunkPrefix;
            new ReadOnlySpan<byte>(rec + L.RecordHeaderSize + L.ChunkPrefix, got).CopyTo(buffer);
            Volatile.Write(ref Long(L.DequeuedOffset), Long(L.DequeuedOffset) + 1);
            Consume(rec, h, L.KindFirst);
            AfterTakeHook?.Invoke();
            int spins = 0;
            while (got < total)
            {
                h = Long(L.HeadOffset);
                if (h >= Volatile.Read(ref Long(L.TailOffset)))
                {
                    // Did the producer finish, give up or die? It holds the claim lock for the whole message.
                    if (Volatile.Read(ref Int(L.ClaimLockOffset)) != producer && h >= Volatile.Read(ref Long(L.TailOffset))) return false;
                    if (spins >= SpinBudget && !IsAlive(producer)) return false;
                    WaitForDataHolding(ref spins, h);
                    continue;
                }
                rec = _ring + (h & _mask);
                int word = Volatile.Read(ref *(int*)(rec + L.RecordStateOffset));
                int state = word & 0xFF, kind = word >> 8;
                length = *(int*)(rec + L.RecordLengthOffset);
                if (state == L.StateClaimed)
                {
                    if (spins >= SpinBudget && !IsAlive(producer)) return false; // head record is then skipped by the next take
                    WaitForDataHolding(ref spins, h);
                    continue;
                }
                if (kind == L.KindPadding) { Consume(rec, h, kind); continue; }
                if (kind is not (L.KindMiddle or L.KindLast) || *(int*)(rec + L.RecordProducerOffset) != producer) return false;
                new ReadOnlySpan<byte>(rec + L.RecordHeaderSize, length).CopyTo(buffer.AsSpan(got));
                got += length;
                Consume(rec, h, kind);
                spins = 0;
            }
            ReleaseLock(L.TakeLockOffset);
            lockHeld = false;
            reader.Read(buffer.AsSpan(0, total));
            return true;
        }
        finally
        {
            if (lockHeld) ReleaseLock(L.TakeLockOffset);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Consumes the record at head while keeping the take lock (chunked messages).</summary>
    private void Consume(byte* rec, long h, int kind)
    {
        Volatile.Write(ref *(int*)(rec + L.RecordStateOffset), L.StateWord(L.StateConsumed, kind));
        Volatile.Write(ref Long(L.HeadOffset), h + L.RecordSize(*(int*)(rec + L.RecordLengthOffset)));
        AdvanceReleased(checkDead: false);
        NotifySpace();
    }

    private bool WaitForData(ref int spins, long h, long deadline)
    {
        if (deadline <= Environment.TickCount64) return false; // also makes a non-blocking take return at once
        if (spins++ < SpinBudget)
        {
            Pause(spins);
            return true;
        }
        long left = Remaining(deadline);
        if (left <= 0) return false;
        SleepOnData(h, (int)Math.Min(left, SliceMs));
        return true;
    }

    private void WaitForDataHolding(ref int spins, long h)
    {
        if (spins++ < SpinBudget) { Pause(spins); return; }
        SleepOnData(h, SliceMs);
    }

    /// <summary>Spins, yielding now and then: on a machine with fewer cores than processes the peer needs the CPU.</summary>
    private static void Pause(int spins)
    {
        if ((spins & 63) == 0) Thread.Yield();
        else Thread.SpinWait(10);
    }

    private void SleepOnData(long h, int timeoutMs)
    {
        Interlocked.Increment(ref Int(L.DataWaitersOffset));
        int seq = Volatile.Read(ref Int(L.DataSeqOffset));
        bool ready = Volatile.Read(ref Long(L.TailOffset)) > h
            && (Volatile.Read(ref *(int*)(_ring + (h & _mask) + L.RecordStateOffset)) & 0xFF) != L.StateClaimed;
        if (!ready && !IsClosed) Waiter.Wait(IntPtr(L.DataSeqOffset), seq, timeoutMs);
        Interlocked.Decrement(ref Int(L.DataWaitersOffset));
    }

    /// <summary>Moves <c>released</c> over consumed records at its front, by CAS: any consumer (or a producer
    /// short of space) may do it; a stale read loses the CAS because positions only grow.</summary>
    private void AdvanceReleased(bool checkDead)
    {
        while (true)
        {
            long r = Volatile.Read(ref Long(L.ReleasedOffset));
            if (r >= Volatile.Read(ref Long(L.HeadOffset))) return;
            byte* rec = _ring + (r & _mask);
            int word = Volatile.Read(ref *(int*)(rec + L.RecordStateOffset));
            int state = word & 0xFF;
            if (state != L.StateConsumed)
            {
                if (checkDead && state == L.StateTaken && !IsAlive(*(int*)(rec + L.RecordConsumerOffset)))
                {
                    // The consumer died while copying: its item is lost, its space is not.
                    Interlocked.CompareExchange(ref *(int*)(rec + L.RecordStateOffset), L.StateWord(L.StateConsumed, word >> 8), word);
                    continue;
                }
                return;
            }
            int len = Volatile.Read(ref *(int*)(rec + L.RecordLengthOffset));
            if ((uint)len > (uint)_capacity) continue; // torn read of a reused header: re-read released
            Interlocked.CompareExchange(ref Long(L.ReleasedOffset), r + L.RecordSize(len), r);
        }
    }

    // ---------------------------------------------------------------- claim words

    /// <summary>Takes a pid-owned claim word. Held only for a few stores (or one chunked message), so waiting is
    /// spinning then yielding; a holder found dead is replaced, which is safe because every store under the
    /// word leaves a consistent state.</summary>
    private bool AcquireLock(int offset, long deadline)
    {
        ref int word = ref Int(offset);
        if (Interlocked.CompareExchange(ref word, s_pid, 0) == 0) return true;
        int spins = 0;
        while (true)
        {
            int holder = Volatile.Read(ref word);
            if (holder == 0 && Interlocked.CompareExchange(ref word, s_pid, 0) == 0) return true;
            if (++spins < 200) { Thread.SpinWait(20); continue; }
            if (holder != 0 && (spins & 15) == 0 && !IsAlive(holder)) Interlocked.CompareExchange(ref word, 0, holder);
            if (Remaining(deadline) <= 0) return false;
            Thread.Sleep(spins < 400 ? 0 : 1);
        }
    }

    private void ReleaseLock(int offset) => Volatile.Write(ref Int(offset), 0);

    // ---------------------------------------------------------------- joinable

    /// <summary>Counts a task put (JoinableQueue).</summary>
    public void AddUnfinished() => Interlocked.Increment(ref Int(L.UnfinishedOffset));

    public int Unfinished => Volatile.Read(ref Int(L.UnfinishedOffset));

    /// <summary>Marks one task done; false if there was none outstanding.</summary>
    public bool TaskDone()
    {
        ref int u = ref Int(L.UnfinishedOffset);
        while (true)
        {
            int cur = Volatile.Read(ref u);
            if (cur <= 0) return false;
            if (Interlocked.CompareExchange(ref u, cur - 1, cur) == cur)
            {
                if (cur == 1) Bump(L.JoinSeqOffset);
                return true;
            }
        }
    }

    /// <summary>Waits until every task put has been marked done.</summary>
    public bool Join(long deadline)
    {
        while (true)
        {
            Interlocked.Increment(ref Int(L.JoinWaitersOffset));
            int seq = Volatile.Read(ref Int(L.JoinSeqOffset));
            bool done = Unfinished <= 0;
            long left = Remaining(deadline);
            if (!done && left > 0) Waiter.Wait(IntPtr(L.JoinSeqOffset), seq, (int)Math.Min(left, SliceMs));
            Interlocked.Decrement(ref Int(L.JoinWaitersOffset));
            if (Unfinished <= 0) return true;
            if (Remaining(deadline) <= 0) return false;
        }
    }

    // ---------------------------------------------------------------- time and liveness

    /// <summary>A deadline in <see cref="Environment.TickCount64"/> ms: null is forever.</summary>
    public static long Deadline(TimeSpan? timeout)
    {
        if (timeout is not { } t || t == Timeout.InfiniteTimeSpan) return long.MaxValue;
        if (t < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), t, "The timeout must be non-negative or infinite.");
        return Environment.TickCount64 + (long)Math.Ceiling(t.TotalMilliseconds);
    }

    private static long Remaining(long deadline) => deadline == long.MaxValue ? int.MaxValue : deadline - Environment.TickCount64;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsAlive(int owner) => owner <= 0 || ProcessLiveness.IsAlive(owner);
}
