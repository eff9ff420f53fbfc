using System.Diagnostics;
using System.Runtime.CompilerServices;
using NativeIpc.Os;

namespace NativeIpc.Sync;

/// <summary>The owner-recording mutex under <see cref="IpcLock"/> and <see cref="IpcRLock"/>, on a
/// <see cref="LockLayout"/> block: one CAS to take, one CAS to give back; contended waiters spin
/// (<see cref="SpinPhase"/>), then park on the word (<see cref="WordParker"/>) in liveness slices and, between
/// slices, check that the holder is alive; a dead holder's lock is taken over by CAS.</summary>
internal static unsafe class LockWord
{
    public enum Outcome { Acquired, Abandoned, TimedOut, Park }

    private static readonly int s_self = ProcessLiveness.Self;
    private static readonly int s_osPid = Environment.ProcessId;

    /// <summary>The id a holder stores in the owner word.</summary>
    public static int Self => s_self;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryAcquireFast(byte* l, int ownerThread)
    {
        if (Interlocked.CompareExchange(ref *(int*)(l + LockLayout.WordOffset), s_self, 0) != 0) return false;
        RecordHolder(l, ownerThread);
        return true;
    }

    /// <summary>Writes what the owner word does not hold: the owning thread (RLock) and the pid (for reports only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RecordHolder(byte* l, int ownerThread)
    {
        *(int*)(l + LockLayout.OwnerThreadOffset) = ownerThread;
        *(int*)(l + LockLayout.HolderPidOffset) = s_osPid;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryAcquireFast(byte* l) => TryAcquireFast(l, Environment.CurrentManagedThreadId);

    /// <summary>True if this process holds the lock and the recorded owner is the caller (its thread, or the async
    /// flow that acquired it: <see cref="LockOwner"/>).</summary>
    public static bool IsMine(byte* l)
        => (Volatile.Read(ref *(int*)(l + LockLayout.WordOffset)) & LockLayout.OwnerMask) == s_self
           && LockOwner.IsCaller(*(int*)(l + LockLayout.OwnerThreadOffset));

    public static bool IsLocked(byte* l) => Volatile.Read(ref *(int*)(l + LockLayout.WordOffset)) != 0;

    /// <summary>The word a contended waiter parks on.</summary>
    public static int* Word(byte* l) => (int*)(l + LockLayout.WordOffset);

    /// <summary>The first moment a waiter starting now checks the holder's liveness.</summary>
    public static long FirstLivenessCheck() => Stopwatch.GetTimestamp() + WaitTuning.LivenessSliceMs * Stopwatch.Frequency / 1000;

    /// <summary>Takes the lock, waiting until <paramref name="deadline"/>: spins, then parks.</summary>
    public static Outcome Acquire(byte* l, Deadline deadline, CancellationToken ct, out int deadOwner, int ownerThread)
    {
        deadOwner = 0;
        if (TryAcquireFast(l, ownerThread)) return Outcome.Acquired;
        int* w = Word(l);
        if (!deadline.HasPassed)
        {
            var spin = new SpinPhase(WaitTuning.LockSpin);
            while (spin.Spin())
                if (Volatile.Read(ref *w) == 0 && TryAcquireFast(l, ownerThread)) return Outcome.Acquired;
        }
        long nextCheck = FirstLivenessCheck();
        while (true)
        {
            var o = Contend(l, deadline, ref nextCheck, out int v, out deadOwner, ownerThread);
            if (o != Outcome.Park) return o;
            if (!WordParker.Park(w, v, deadline, WaitTuning.LivenessSliceMs, ct)) return Outcome.TimedOut;
        }
    }

    public static Outcome Acquire(byte* l, Deadline deadline, CancellationToken ct, out int deadOwner)
        => Acquire(l, deadline, ct, out deadOwner, Environment.CurrentManagedThreadId);

    /// <summary>One step of a contended wait, shared by the sync and async paths: takes a free lock (marked
    /// contended: once we have slept we cannot know whether others sleep too), takes over a dead holder's, gives up
    /// once the deadline passed, or marks the word contended and returns <see cref="Outcome.Park"/> with the value to
    /// park on.</summary>
    public static Outcome Contend(byte* l, Deadline deadline, ref long nextCheck, out int parkValue, out int deadOwner, int ownerThread)
    {
        int* w = Word(l);
        int contended = s_self | LockLayout.WaitersBit;
        deadOwner = 0;
        while (true)
        {
            int v = Volatile.Read(ref *w);
            if (v == 0)
            {
                if (Interlocked.CompareExchange(ref *w, contended, 0) == 0)
                {
                    RecordHolder(l, ownerThread);
                    parkValue = 0;
                    return Outcome.Acquired;
                }
                continue;
            }
            if (deadline.HasPassed) { parkValue = v; return Outcome.TimedOut; }
            if ((v & LockLayout.WaitersBit) == 0)
            {
                if (Interlocked.CompareExchange(ref *w, v | LockLayout.WaitersBit, v) != v) continue;
                v |= LockLayout.WaitersBit;
            }
            if (Stopwatch.GetTimestamp() >= nextCheck)
            {
                // The owner word alone names the holder: no second field can pair one holder with another's data.
                // (The pid is read only to name the dead holder in the exception.)
                int owner = v & LockLayout.OwnerMask;
                int holderPid = Volatile.Read(ref *(int*)(l + LockLayout.HolderPidOffset));
                if (!ProcessLiveness.IsAlive(owner) && Interlocked.CompareExchange(ref *w, contended, v) == v)
                {
                    RecordHolder(l, ownerThread);
                    deadOwner = holderPid;
                    parkValue = 0;
                    return Outcome.Abandoned;
                }
                nextCheck = FirstLivenessCheck();
            }
            parkValue = v;
            return Outcome.Park;
        }
    }

    /// <summary>Releases the lock whoever holds it (Python lets any process release a Lock); throws if it is free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Release(byte* l)
    {
        int* w = Word(l);
        *(int*)(l + LockLayout.OwnerThreadOffset) = 0;
        if (Interlocked.CompareExchange(ref *w, 0, s_self) == s_self) return;
        ReleaseSlow(w);
    }

    private static void ReleaseSlow(int* w)
    {
        while (true)
        {
            int v = Volatile.Read(ref *w);
            if (v == 0) throw new InvalidOperationException("The lock is not held: release of an unlocked lock.");
            if (Interlocked.CompareExchange(ref *w, 0, v) != v) continue;
            if ((v & LockLayout.WaitersBit) != 0) WordParker.Wake(w, 1);
            return;
        }
    }
}
