using System.Diagnostics;
using System.Runtime.CompilerServices;
using NativeIpc.Os;

namespace NativeIpc.Sync;

/// <summary>The owner-recording mutex under <see cref="IpcLock"/> and <see cref="IpcRLock"/>, on a
/// <see cref="LockLayout"/> block: one CAS to take, one CAS to give back; contended waiters spin, then sleep on the
/// word in slices and, between slices, check that the holder is alive; a dead holder's lock is taken over by CAS.</summary>
internal static unsafe class LockWord
{
    public enum Outcome { Acquired, Abandoned, TimedOut }

    /// <summary>How often a sleeping waiter checks the holder's liveness.</summary>
    public const int DeadOwnerCheckMs = 100;

    /// <summary>Slice used when a cancellation token can fire (the futex is not woken by the token).</summary>
    public const int CancellationPollMs = 50;

    private static readonly int s_pid = ProcessLiveness.Self;
    private static readonly int s_osPid = Environment.ProcessId;

    /// <summary>Spin iterations before sleeping (tunable through <see cref="IpcLock.SpinCount"/>).</summary>
    public static int SpinCount = 100;

    public static int Pid => s_pid;

    /// <summary>One spin step: a short pause, and every 32nd step a yield, so a peer that is runnable on this CPU
    /// (the machine is oversubscribed) gets to run instead of being spun against.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pause(int i)
    {
        if ((i & 31) == 31) Thread.Yield();
        else Thread.SpinWait(8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryAcquireFast(byte* l)
    {
        if (Interlocked.CompareExchange(ref *(int*)(l + LockLayout.WordOffset), s_pid, 0) != 0) return false;
        RecordOwner(l);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RecordOwner(byte* l)
    {
        *(int*)(l + LockLayout.OwnerThreadOffset) = Environment.CurrentManagedThreadId;
        *(int*)(l + LockLayout.HolderPidOffset) = s_osPid;
    }

    /// <summary>True if this process holds the lock and the recorded owner thread is the caller.</summary>
    public static bool IsMine(byte* l)
        => (Volatile.Read(ref *(int*)(l + LockLayout.WordOffset)) & LockLayout.PidMask) == s_pid
           && *(int*)(l + LockLayout.OwnerThreadOffset) == Environment.CurrentManagedThreadId;

    public static bool IsLocked(byte* l) => Volatile.Read(ref *(int*)(l + LockLayout.WordOffset)) != 0;

    public static Outcome Acquire(byte* l, SyncTimeout timeout, CancellationToken ct, out int deadPid)
    {
        deadPid = 0;
        if (TryAcquireFast(l)) return Outcome.Acquired;
        int* w = (int*)(l + LockLayout.WordOffset);
        if (!timeout.Expired)
        {
            for (int i = 0; i < SpinCount; i++)
            {
                LockWord.Pause(i);
                if (Volatile.Read(ref *w) == 0 && TryAcquireFast(l)) return Outcome.Acquired;
            }
        }
        int contended = s_pid | LockLayout.WaitersBit;
        int slice = ct.CanBeCanceled ? CancellationPollMs : DeadOwnerCheckMs;
        long nextCheck = Stopwatch.GetTimestamp() + DeadOwnerCheckMs * Stopwatch.Frequency / 1000;
        while (true)
        {
            int v = Volatile.Read(ref *w);
            if (v == 0)
            {
                // Once we have slept we cannot know whether others sleep too: take it marked contended.
                if (Interlocked.CompareExchange(ref *w, contended, 0) == 0) { RecordOwner(l); return Outcome.Acquired; }
                continue;
            }
            if ((v & LockLayout.WaitersBit) == 0)
            {
                if (Interlocked.CompareExchange(ref *w, v | LockLayout.WaitersBit, v) != v) continue;
                v |= LockLayout.WaitersBit;
            }
            if (Stopwatch.GetTimestamp() >= nextCheck)
            {
                int owner = v & LockLayout.PidMask;
                int holderPid = Volatile.Read(ref *(int*)(l + LockLayout.HolderPidOffset));
                if (Volatile.Read(ref *w) == v && !ProcessLiveness.IsAlive(owner)
                    && Interlocked.CompareExchange(ref *w, contended, v) == v)
                {
                    RecordOwner(l);
                    deadPid = holderPid;
                    return Outcome.Abandoned;
                }
                nextCheck = Stopwatch.GetTimestamp() + DeadOwnerCheckMs * Stopwatch.Frequency / 1000;
            }
            ct.ThrowIfCancellationRequested();
            int ms = timeout.SliceMs(slice);
            if (ms == 0) return Outcome.TimedOut;
            OsLayer.Waiter.Wait(w, v, ms);
        }
    }

    /// <summary>Releases the lock whoever holds it (Python lets any process release a Lock); throws if it is free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Release(byte* l)
    {
        int* w = (int*)(l + LockLayout.WordOffset);
        *(int*)(l + LockLayout.OwnerThreadOffset) = 0;
        if (Interlocked.CompareExchange(ref *w, 0, s_pid) == s_pid) return;
        ReleaseSlow(w);
    }

    private static void ReleaseSlow(int* w)
    {
        while (true)
        {
            int v = Volatile.Read(ref *w);
            if (v == 0) throw new InvalidOperationException("The lock is not held: release of an unlocked lock.");
            if (Interlocked.CompareExchange(ref *w, 0, v) != v) continue;
            if ((v & LockLayout.WaitersBit) != 0) OsLayer.Waiter.Wake(w, 1);
            return;
        }
    }
}
