using NativeIpc.Os;
using NativeIpc.Process;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>A barrier for a fixed number of parties across processes: each <see cref="Wait(TimeSpan?)"/> blocks until
/// <see cref="Parties"/> parties have called it, then all pass together and the barrier is ready for the next round.</summary>
/// <remarks>Python: multiprocessing.Barrier. Dead parties: a party that dies before arriving is indistinguishable from
/// a slow one, so the others wait until their timeout (the constructor's default timeout or the one passed to
/// <see cref="Wait(TimeSpan?)"/>), which breaks the barrier for everyone, as in Python. A process that dies while
/// running the barrier action is detected (its pid is recorded) and breaks the barrier. The action travels to child
/// processes like an <see cref="IpcProcess"/> target, so it must be a static method or a lambda that captures nothing;
/// it runs in the process of the party that arrives last.</remarks>
public sealed unsafe class IpcBarrier : IDisposable, ITransferable
{
    static IpcBarrier() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private const int SleepSliceMs = 100;
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
        _ = SyncTimeout.From(timeout);
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

    private int* State => (int*)(_handle.Payload + BarrierLayout.StateOffset);

    /// <summary>The number of parties needed to pass.</summary>
    /// <remarks>Python: Barrier.parties</remarks>
    public int Parties => *(int*)(_handle.Payload + BarrierLayout.PartiesOffset);

    /// <summary>The number of parties waiting now (a snapshot).</summary>
    /// <remarks>Python: Barrier.n_waiting</remarks>
    public int NWaiting
    {
        get
        {
            int v = Volatile.Read(ref *State);
            int c = v & BarrierLayout.CountMask;
            return (v & BarrierLayout.BrokenBit) != 0 || c >= Parties ? 0 : c;
        }
    }

    /// <summary>True when the barrier is broken (until <see cref="Reset"/>).</summary>
    /// <remarks>Python: Barrier.broken</remarks>
    public bool Broken => (Volatile.Read(ref *State) & BarrierLayout.BrokenBit) != 0;

    /// <summary>Waits until all parties have arrived; returns this party's arrival index, 0 to <see cref="Parties"/>-1.
    /// A timeout (null: the constructor's) breaks the barrier.</summary>
    /// <exception cref="IpcBrokenBarrierException">The barrier is or became broken (aborted, reset, timed out, the action failed).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative but not infinite.</exception>
    /// <remarks>Python: Barrier.wait(timeout=None)</remarks>
    public int Wait(TimeSpan? timeout = null)
    {
        var to = SyncTimeout.From(timeout ?? _defaultTimeout);
        byte* p = _handle.Payload;
        int* state = (int*)(p + BarrierLayout.StateOffset);
        int parties = *(int*)(p + BarrierLayout.PartiesOffset);
        while (true)
        {
            int v = Volatile.Read(ref *state);
            if ((v & BarrierLayout.BrokenBit) != 0) throw new IpcBrokenBarrierException();
            int c = v & BarrierLayout.CountMask;
            if (c >= parties)
            {
                // The previous round's action is running: wait for it like any other waiter.
                if (!WaitForChange(p, state, v, to, parties, out bool died))
                {
                    BreakGeneration(state, (v >> BarrierLayout.GenerationShift) & BarrierLayout.GenerationMask);
                    throw new IpcBrokenBarrierException(died ? "The process running the barrier action died." : "The barrier wait timed out.");
                }
                continue;
            }
            if (Interlocked.CompareExchange(ref *state, v + 1, v) != v) continue;
            int generation = (v >> BarrierLayout.GenerationShift) & BarrierLayout.GenerationMask;
            if (c + 1 == parties)
            {
                RunActionAndRelease(p, state, generation, parties);
                return c;
            }
            while (true)
            {
                int cur = Volatile.Read(ref *state);
                int g = (cur >> BarrierLayout.GenerationShift) & BarrierLayout.GenerationMask;
                if (g != generation)
                {
                    if (Volatile.Read(ref *(int*)(p + BarrierLayout.BrokenGenerationOffset)) == generation)
                        throw new IpcBrokenBarrierException("The barrier was reset while waiting.");
                    return c;
                }
                if ((cur & BarrierLayout.BrokenBit) != 0) throw new IpcBrokenBarrierException();
                if (!WaitForChange(p, state, cur, to, parties, out bool actionDied))
                {
                    BreakGeneration(state, generation);
                    if (actionDied) throw new IpcBrokenBarrierException("The process running the barrier action died.");
                    // The round may have completed just as the time ran out.
                    continue;
                }
            }
        }
    }

    /// <summary>Sleeps a slice while the state is <paramref name="v"/>; false when the time ran out or the process
    /// running the action died.</summary>
    private static bool WaitForChange(byte* p, int* state, int v, SyncTimeout to, int parties, out bool actionDied)
    {
        actionDied = false;
        for (int i = 0; i < LockWord.SpinCount; i++)
        {
            if (Volatile.Read(ref *state) != v) return true;
            LockWord.Pause(i);
        }
        if ((v & BarrierLayout.CountMask) >= parties)
        {
            int pid = Volatile.Read(ref *(int*)(p + BarrierLayout.ActionPidOffset));
            if (pid != 0 && !ProcessLiveness.IsAlive(pid) && Volatile.Read(ref *state) == v)
            {
                actionDied = true;
                return false;
            }
        }
        int ms = to.SliceMs(SleepSliceMs);
        if (ms == 0) return false;
        OsLayer.Waiter.Wait(state, v, ms);
        return true;
    }

    private void RunActionAndRelease(byte* p, int* state, int generation, int parties)
    {
        if (_action is not null)
        {
            Volatile.Write(ref *(int*)(p + BarrierLayout.ActionPidOffset), LockWord.Pid);
            try { _action(); }
            catch (Exception e)
            {
                BreakGeneration(state, generation);
                throw new IpcBrokenBarrierException("The barrier action failed.", e);
            }
            finally { Volatile.Write(ref *(int*)(p + BarrierLayout.ActionPidOffset), 0); }
        }
        int next = (generation + 1) & BarrierLayout.GenerationMask;
        // A stale "reset" mark from GenerationMask+1 rounds ago must not hit the next round.
        Interlocked.CompareExchange(ref *(int*)(p + BarrierLayout.BrokenGenerationOffset), -1, next);
        int draining = (generation << BarrierLayout.GenerationShift) | parties;
        bool released = Interlocked.CompareExchange(ref *state, next << BarrierLayout.GenerationShift, draining) == draining;
        OsLayer.Waiter.Wake(state, int.MaxValue);
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
        OsLayer.Waiter.Wake(state, int.MaxValue);
    }

    /// <summary>Breaks the barrier: current and future waits throw <see cref="IpcBrokenBarrierException"/> until <see cref="Reset"/>.</summary>
    /// <remarks>Python: Barrier.abort()</remarks>
    public void Abort()
    {
        int* state = State;
        while (true)
        {
            int v = Volatile.Read(ref *state);
            if ((v & BarrierLayout.BrokenBit) != 0 || Interlocked.CompareExchange(ref *state, v | BarrierLayout.BrokenBit, v) == v) break;
        }
        OsLayer.Waiter.Wake(state, int.MaxValue);
    }

    /// <summary>Returns the barrier to its empty, unbroken state; parties waiting now get <see cref="IpcBrokenBarrierException"/>.</summary>
    /// <remarks>Python: Barrier.reset()</remarks>
    public void Reset()
    {
        byte* p = _handle.Payload;
        int* state = (int*)(p + BarrierLayout.StateOffset);
        while (true)
        {
            int v = Volatile.Read(ref *state);
            int g = (v >> BarrierLayout.GenerationShift) & BarrierLayout.GenerationMask;
            if ((v & BarrierLayout.CountMask) > 0) Volatile.Write(ref *(int*)(p + BarrierLayout.BrokenGenerationOffset), g);
            int next = ((g + 1) & BarrierLayout.GenerationMask) << BarrierLayout.GenerationShift;
            if (Interlocked.CompareExchange(ref *state, next, v) == v) break;
        }
        OsLayer.Waiter.Wake(state, int.MaxValue);
    }

    /// <summary>Removes the barrier's name (creator) and unmaps it.</summary>
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
