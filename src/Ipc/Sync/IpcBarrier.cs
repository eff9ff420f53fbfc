using NativeIpc.Process;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A barrier for a fixed number of parties across processes: each <see cref="Wait(TimeSpan?)"/> blocks until
/// <see cref="Parties"/> parties have called it, then all pass together and the barrier is ready for the next round.</summary>
/// <remarks>Python: multiprocessing.Barrier. Dead parties: a party that dies before arriving is indistinguishable from
/// a slow one, so the others wait until their timeout (the constructor's default timeout or the one passed to
/// <see cref="Wait(TimeSpan?)"/>), which breaks the barrier for everyone, as in Python. A process that dies while
/// running the barrier action is detected (its owner id is recorded) and breaks the barrier; the last arriver at a
/// barrier without an action releases the others in one atomic step, so its death cannot strand them. The action travels to child
/// processes like an <see cref="IpcProcess"/> target, so it must be a static method or a lambda that captures nothing;
/// it runs in the process of the party that arrives last.</remarks>
public sealed unsafe class IpcBarrier : IDisposable, ITransferable
{
    static IpcBarrier() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private readonly SyncHandle _handle;
    private readonly Action? _action;
    private readonly TimeSpan? _defaultTimeout;

    /// <summary>Creates a barrier for <paramref name="parties"/> parties. <paramref name="action"/>, if given, runs in
    /// the last arriving party's process before the others are released;
    /// <paramref name="timeout"/> is the default for <see cref="Wait(TimeSpan?)"/> (null: no limit).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parties"/> is less than 1 or more than 65534.</exception>
    /// <remarks>Python: multiprocessing.Barrier(parties, action=None, timeout=None)</remarks>
    public IpcBarrier(int parties, Action? action = null, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parties, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parties, BarrierLayout.MaxParties);
        _ = Deadline.From(timeout);
        _action = action;
        _defaultTimeout = timeout;
        _handle = SyncHandle.Create(SegmentKind.Barrier, BarrierLayout.Size, nameof(IpcBarrier), p =>
        {
            *(int*)(p + BarrierLayout.PartiesOffset) = parties;
            *(int*)(p + BarrierLayout.BrokenGenerationOffset) = -1;
        });
    }

    private IpcBarrier(SyncHandle handle, TimeSpan? timeout, Action? action)
    {
        _handle = handle;
        _defaultTimeout = timeout;
        _action = action;
    }

    // Callers hold a reference on the mapping (_handle.Enter, or the async wait's own).
    private int* State => (int*)(_handle.Mapped + BarrierLayout.StateOffset);

    /// <summary>The number of parties needed to pass.</summary>
    /// <remarks>Python: Barrier.parties</remarks>
    public int Parties
    {
        get
        {
            byte* p = _handle.Enter();
            try { return *(int*)(p + BarrierLayout.PartiesOffset); }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>The number of parties waiting now (a snapshot).</summary>
    /// <remarks>Python: Barrier.n_waiting</remarks>
    public int NWaiting
    {
        get
        {
            byte* p = _handle.Enter();
            try
            {
                int v = Volatile.Read(ref *(int*)(p + BarrierLayout.StateOffset));
                int c = v & BarrierLayout.CountMask;
                return (v & BarrierLayout.BrokenBit) != 0 || c >= *(int*)(p + BarrierLayout.PartiesOffset) ? 0 : c;
            }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>True when the barrier is broken (until <see cref="Reset"/>).</summary>
    /// <remarks>Python: Barrier.broken</remarks>
    public bool Broken
    {
        get
        {
            byte* p = _handle.Enter();
            try { return (Volatile.Read(ref *(int*)(p + BarrierLayout.StateOffset)) & BarrierLayout.BrokenBit) != 0; }
            finally { _handle.Exit(); }
        }
    }

    /// <summary>Waits until all parties have arrived; returns this party's arrival index, 0 to <see cref="Parties"/>-1.
    /// A timeout (null: the constructor's) breaks the barrier.</summary>
    /// <exception cref="IpcBrokenBarrierException">The barrier is or became broken (aborted, reset, timed out, the action failed).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <exception cref="ObjectDisposedException">The barrier was disposed (also by another thread while this call
    /// waited: the party leaves, breaking the round for the others as a cancellation does).</exception>
    /// <remarks>Python: Barrier.wait(timeout=None)</remarks>
    public int Wait(TimeSpan? timeout = null) => Wait(timeout, CancellationToken.None);

    /// <summary>Like <see cref="Wait(TimeSpan?)"/>, cancellable: a cancelled party that had arrived breaks the barrier
    /// for the others (as a timeout does: a round cannot complete without it) and throws
    /// <see cref="OperationCanceledException"/>.</summary>
    /// <exception cref="IpcBrokenBarrierException">The barrier is or became broken.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <remarks>Python: Barrier.wait(timeout=None)</remarks>
    public int Wait(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var arrival = new Arrival(Deadline.From(timeout ?? _defaultTimeout));
        _handle.Enter();
        CancellationTokenSource? linked = null;
        try
        {
            while (Step(ref arrival) == StepResult.Park)
            {
                var spin = new SpinPhase(WaitTuning.LockSpin);
                bool changed = false;
                while (!changed && spin.Spin()) changed = Volatile.Read(ref *State) != arrival.ParkValue;
                if (changed) continue;
                var token = linked?.Token ?? _handle.WaitToken(cancellationToken, out linked);
                try { WordParker.Park(State, arrival.ParkValue, arrival.Deadline, WaitTuning.LivenessSliceMs, token); }
                catch (OperationCanceledException)
                {
                    Leave(ref arrival);
                    if (_handle.DisposedDuring(cancellationToken)) throw _handle.Disposed();
                    throw;
                }
            }
            return arrival.Index;
        }
        finally
        {
            linked?.Dispose();
            _handle.Exit();
        }
    }

    /// <summary>The async <see cref="Wait(TimeSpan?)"/>: waits for the other parties without holding a thread
    /// (woken by the same release that wakes synchronous parties) and returns this party's arrival index. The
    /// action, if any, runs in the last arriver's continuation.</summary>
    /// <param name="timeout">How long to wait (null: the constructor's default); running out breaks the barrier.</param>
    /// <param name="cancellationToken">Stops the wait; a cancelled party that had arrived breaks the barrier for the
    /// others (the round cannot complete without it).</param>
    /// <exception cref="IpcBrokenBarrierException">The barrier is or became broken (aborted, reset, timed out, the action failed).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    /// <exception cref="ObjectDisposedException">The barrier was disposed (also while the wait was pending).</exception>
    /// <remarks>Python: Barrier.wait(timeout=None) (System.Threading.Barrier.SignalAndWait in .NET terms)</remarks>
    public ValueTask<int> SignalAndWaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => SyncAsync.BarrierWait(this, _handle, new Arrival(Deadline.From(timeout ?? _defaultTimeout)), cancellationToken);

    /// <summary>Test hook run by the last arriver at a barrier without an action, just before it releases the round.</summary>
    internal static Action? BeforeReleaseHook;

    /// <summary>Where one party is in its <see cref="Wait(TimeSpan?)"/>.</summary>
    internal struct Arrival(Deadline deadline)
    {
        public readonly Deadline Deadline = deadline;
        public bool Arrived;
        public int Generation;
        public int Index;
        public int ParkValue;
    }

    internal enum StepResult { Done, Park }

    /// <summary>One step of a wait, shared by the sync and async paths: arrives (releasing the round when last), or
    /// checks whether the round passed; throws when broken; otherwise says which state value to park on.</summary>
    internal StepResult Step(ref Arrival a)
    {
        byte* p = _handle.Payload; // the caller holds a reference; a step after Dispose throws ObjectDisposedException
        int* state = (int*)(p + BarrierLayout.StateOffset);
        int parties = *(int*)(p + BarrierLayout.PartiesOffset);
        while (!a.Arrived)
        {
            int v = Volatile.Read(ref *state);
            if ((v & BarrierLayout.BrokenBit) != 0) throw new IpcBrokenBarrierException();
            int c = v & BarrierLayout.CountMask;
            int generation = (v >> BarrierLayout.GenerationShift) & BarrierLayout.GenerationMask;
            if (c >= parties)
            {
                // The previous round's action is running: wait for it like any other waiter.
                if (ActionRunnerDied(p, state, v) || a.Deadline.HasPassed)
                {
                    bool died = !a.Deadline.HasPassed;
                    BreakGeneration(state, generation);
                    throw new IpcBrokenBarrierException(died ? "The process running the barrier action died." : "The barrier wait timed out.");
                }
                a.ParkValue = v;
                return StepResult.Park;
            }
            if (c + 1 == parties)
            {
                if (_action is null)
                {
                    BeforeReleaseHook?.Invoke();
                    // Counting the last arrival and releasing the round is one CAS: a releaser killed at any instruction
                    // has either released everyone or not arrived at all.
                    int next = (generation + 1) & BarrierLayout.GenerationMask;
                    Interlocked.CompareExchange(ref *(int*)(p + BarrierLayout.BrokenGenerationOffset), -1, next);
                    if (Interlocked.CompareExchange(ref *state, next << BarrierLayout.GenerationShift, v) != v) continue;
                    WordParker.Wake(state);
                    a.Index = c;
                    return StepResult.Done;
                }
                if (Interlocked.CompareExchange(ref *state, v + 1, v) != v) continue;
                RunActionAndRelease(p, state, generation, parties);
                a.Index = c;
                return StepResult.Done;
            }
            if (Interlocked.CompareExchange(ref *state, v + 1, v) != v) continue;
            a.Arrived = true;
            a.Generation = generation;
            a.Index = c;
        }
        while (true)
        {
            int cur = Volatile.Read(ref *state);
            int g = (cur >> BarrierLayout.GenerationShift) & BarrierLayout.GenerationMask;
            if (g != a.Generation)
            {
                if (Volatile.Read(ref *(int*)(p + BarrierLayout.BrokenGenerationOffset)) == a.Generation)
                    throw new IpcBrokenBarrierException("The barrier was reset while waiting.");
                return StepResult.Done;
            }
            if ((cur & BarrierLayout.BrokenBit) != 0) throw new IpcBrokenBarrierException();
            if ((cur & BarrierLayout.CountMask) >= parties && ActionRunnerDied(p, state, cur))
            {
                BreakGeneration(state, a.Generation);
                throw new IpcBrokenBarrierException("The process running the barrier action died.");
            }
            if (a.Deadline.HasPassed)
            {
                // The round may have completed just as the time ran out: look once more after breaking it.
                BreakGeneration(state, a.Generation);
                continue;
            }
            a.ParkValue = cur;
            return StepResult.Park;
        }
    }

    /// <summary>A party that arrived and then stops waiting (cancelled) breaks its round: it cannot complete without it.</summary>
    internal void Leave(ref Arrival a)
    {
        if (a.Arrived) BreakGeneration(State, a.Generation);
    }

    /// <summary>True when the state still shows the action running and the process running it is gone.</summary>
    private static bool ActionRunnerDied(byte* p, int* state, int v)
    {
        int owner = Volatile.Read(ref *(int*)(p + BarrierLayout.ActionOwnerOffset));
        return owner != 0 && !ProcessLiveness.IsAlive(owner) && Volatile.Read(ref *state) == v;
    }

    /// <summary>Parks once on the state word (async); a dead action runner is noticed by the barrier's liveness watch.</summary>
    internal ValueTask<bool> ParkAsync(int value, Deadline deadline, CancellationToken ct)
        => WordParker.ParkWatchedAsync(State, value, deadline, _watch ??= new BarrierLivenessWatch(_handle), ct, _handle);

    private BarrierLivenessWatch? _watch; // made by the first async wait

    private void RunActionAndRelease(byte* p, int* state, int generation, int parties)
    {
        // The action owner is written after the arrival CAS: if the runner dies in between, waiters fall back on
        // their timeouts (one store wide; without an action the release is a single CAS and has no such window).
        Volatile.Write(ref *(int*)(p + BarrierLayout.ActionOwnerOffset), ProcessLiveness.Self);
        try { _action!(); }
        catch (Exception e)
        {
            Volatile.Write(ref *(int*)(p + BarrierLayout.ActionOwnerOffset), 0);
            BreakGeneration(state, generation);
            throw new IpcBrokenBarrierException("The barrier action failed.", e);
        }
        Volatile.Write(ref *(int*)(p + BarrierLayout.ActionOwnerOffset), 0);
        int next = (generation + 1) & BarrierLayout.GenerationMask;
        // A stale "reset" mark from GenerationMask+1 rounds ago must not hit the next round.
        Interlocked.CompareExchange(ref *(int*)(p + BarrierLayout.BrokenGenerationOffset), -1, next);
        int draining = (generation << BarrierLayout.GenerationShift) | parties;
        bool released = Interlocked.CompareExchange(ref *state, next << BarrierLayout.GenerationShift, draining) == draining;
        WordParker.Wake(state);
        // Aborted or reset while the action ran: the round is lost for everyone.
        if (!released) throw new IpcBrokenBarrierException("The barrier was aborted or reset while its action ran.");
    }

    private static void BreakGeneration(int* state, int generation)
    {
        while (true)
        {
            int v = Volatile.Read(ref *state);
            if (((v >> BarrierLayout.GenerationShift) & BarrierLayout.GenerationMask) != generation || (v & BarrierLayout.BrokenBit) != 0) break;
            if (Interlocked.CompareExchange(ref *state, v | BarrierLayout.BrokenBit, v) == v) break;
        }
        WordParker.Wake(state);
    }

    /// <summary>Breaks the barrier: current and future waits throw <see cref="IpcBrokenBarrierException"/> until <see cref="Reset"/>.</summary>
    /// <remarks>Python: Barrier.abort()</remarks>
    public void Abort()
    {
        int* state = (int*)(_handle.Enter() + BarrierLayout.StateOffset);
        try
        {
            while (true)
            {
                int v = Volatile.Read(ref *state);
                if ((v & BarrierLayout.BrokenBit) != 0 || Interlocked.CompareExchange(ref *state, v | BarrierLayout.BrokenBit, v) == v) break;
            }
            WordParker.Wake(state);
        }
        finally { _handle.Exit(); }
    }

    /// <summary>Returns the barrier to its empty, unbroken state; parties waiting now get <see cref="IpcBrokenBarrierException"/>.</summary>
    /// <remarks>Python: Barrier.reset()</remarks>
    public void Reset()
    {
        byte* p = _handle.Enter();
        try
        {
            int* state = (int*)(p + BarrierLayout.StateOffset);
            while (true)
            {
                int v = Volatile.Read(ref *state);
                int g = (v >> BarrierLayout.GenerationShift) & BarrierLayout.GenerationMask;
                if ((v & BarrierLayout.CountMask) > 0) Volatile.Write(ref *(int*)(p + BarrierLayout.BrokenGenerationOffset), g);
                int next = ((g + 1) & BarrierLayout.GenerationMask) << BarrierLayout.GenerationShift;
                if (Interlocked.CompareExchange(ref *state, next, v) == v) break;
            }
            WordParker.Wake(state);
        }
        finally { _handle.Exit(); }
    }

    /// <summary>Removes the barrier's name (creator) and unmaps it once no call is using it; a call blocked in another
    /// thread throws <see cref="ObjectDisposedException"/>, and so do pending async waits.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The barrier's shared segment name.</summary>
    public override string ToString() => $"IpcBarrier({_handle.Name})";

    void ITransferable.WriteTransfer(BinaryWriter writer)
    {
        _handle.WriteTransfer(writer);
        writer.Write(_defaultTimeout is { } t ? t.Ticks : long.MinValue);
        writer.Write(_action is not null);
        // Throws ArgumentException (before the child starts) for an action a child cannot find, like Python's pickling error.
        if (_action is not null) TargetMethod.Describe(_action, out _).Write(writer);
    }

    internal static IpcBarrier ReadTransfer(BinaryReader reader)
    {
        var handle = SyncHandle.Attach(reader.ReadString(), SegmentKind.Barrier, nameof(IpcBarrier));
        try
        {
            long ticks = reader.ReadInt64();
            Action? action = null;
            if (reader.ReadBoolean())
            {
                var (method, instance) = TargetMethod.Read(reader).Resolve();
                action = (Action)method.CreateDelegate(typeof(Action), instance);
            }
            return new IpcBarrier(handle, ticks == long.MinValue ? null : TimeSpan.FromTicks(ticks), action);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
