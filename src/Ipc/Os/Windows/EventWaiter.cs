using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using NativeIpc.Platform.Windows;

namespace NativeIpc.Os.Windows;

/// <summary>Parking on Windows, which has no cross-process WaitOnAddress: a sleeping thread writes its id into the
/// bucket of its word in a shared table (<see cref="ParkingTableLayout"/>), re-reads the word, and sleeps on its own
/// named auto-reset event; a waker, after changing the word, reads that bucket and sets the event of every id it
/// finds. A bucket with no sleeper costs the waker one read of shared memory and no system call.</summary>
/// <remarks>No lost wake: the sleeper publishes its id (a full fence) before it re-reads the word, the waker changes
/// the word before it reads the bucket (a full fence), so one of them sees the other; an event set before its
/// sleeper waits stays set. Words that share a bucket, and a set that arrives after its sleeper left, wake
/// spuriously, which every caller tolerates (it re-checks). An id left by a process that died asleep is cleared by
/// the first waker that cannot open its event (the name died with the process).</remarks>
[SupportedOSPlatform("windows")]
internal sealed unsafe class EventWaiter : IAddressWaiter
{
    private readonly WindowsFileMapping _section; // held for the life of the process: the waiter is a singleton
    private readonly WindowsMappedView _view;
    private readonly int* _table;

    [ThreadStatic] private static Sleeper? t_sleeper;

    public EventWaiter()
    {
        _section = WindowsFileMapping.Create(ParkingTableLayout.Name, ParkingTableLayout.Size, failIfExists: false);
        _view = _section.Map(0, ParkingTableLayout.Size);
        _table = (int*)_view.Pointer;
    }

    public bool Wait(int* address, int expected, int timeoutMs)
    {
        var me = t_sleeper ??= new Sleeper();
        int* bucket = BucketOf(address);
        int slot = Claim(bucket, me.Id);
        if (slot < 0)
        {
            // Full bucket: a short sleep, and the caller looks again (a spurious wake as far as it can tell).
            if (Volatile.Read(ref *address) == expected)
                Thread.Sleep(timeoutMs < 0 ? ParkingTableLayout.FullBucketSliceMs : Math.Min(timeoutMs, ParkingTableLayout.FullBucketSliceMs));
            return true;
        }
        try
        {
            if (Volatile.Read(ref *address) != expected) return true;
            return me.Event.Wait(timeoutMs) != WaitOutcome.Timeout;
        }
        finally
        {
            Volatile.Write(ref bucket[slot], 0);
        }
    }

    /// <summary>The async twin of <see cref="Wait"/>: holds no thread while asleep (a thread-pool wait on an event
    /// of its own, registered in the table like a sleeping thread's). True when woken (maybe spuriously) or the word
    /// already differs, false when <paramref name="timeoutMs"/> ran out; a fired token cancels it and frees its
    /// slot. The word is read once, now: the memory may be unmapped while the wait is pending.</summary>
    public Task<bool> WaitAsync(int* address, int expected, int timeoutMs, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<bool>(cancellationToken);
        int* bucket = BucketOf(address);
        var sleeper = new Sleeper();
        int slot = Claim(bucket, sleeper.Id);
        if (slot < 0)
        {
            sleeper.Event.Dispose();
            return Volatile.Read(ref *address) != expected ? Task.FromResult(true)
                : Task.Delay(ParkingTableLayout.FullBucketSliceMs, cancellationToken).ContinueWith(static t =>
                {
                    t.GetAwaiter().GetResult(); // a cancelled delay cancels the wait
                    return true;
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        if (Volatile.Read(ref *address) != expected)
        {
            Volatile.Write(ref bucket[slot], 0);
            sleeper.Event.Dispose();
            return Task.FromResult(true);
        }
        return new AsyncSleep(sleeper, &bucket[slot], timeoutMs, cancellationToken).Task;
    }

    public void Wake(int* address, int count)
    {
        int* bucket = BucketOf(address);
        Interlocked.MemoryBarrier(); // the caller's change to the word is visible before we read the bucket
        for (int i = 0; i < ParkingTableLayout.SlotsPerBucket; i++)
        {
            int id = Volatile.Read(ref bucket[i]);
            if (id == 0) continue;
            // Every sleeper in the bucket, whatever count says: a wake(1) taken by a sleeper on another word of the
            // same bucket would be lost to the one it was meant for.
            try
            {
                using var ev = WindowsEvent.Open(Sleeper.NameOf(id));
                ev.Set();
            }
            catch (WindowsIoException e)
            {
                // Gone: its process died asleep. Anything else (another account's sleeper): not ours to wake.
                if (e.ErrorCode == WindowsIoException.ErrorFileNotFound) Interlocked.CompareExchange(ref bucket[i], 0, id);
            }
        }
    }

    /// <summary>Writes <paramref name="id"/> into a free slot of the bucket and returns its index; in a full bucket
    /// first frees the slots of sleepers whose process died asleep; -1 if it stays full.</summary>
    private static int Claim(int* bucket, int id)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < ParkingTableLayout.SlotsPerBucket; i++)
                if (Interlocked.CompareExchange(ref bucket[i], id, 0) == 0) return i;
            if (pass == 0)
                for (int i = 0; i < ParkingTableLayout.SlotsPerBucket; i++)
                {
                    int other = Volatile.Read(ref bucket[i]);
                    if (other != 0 && !Sleeper.Exists(other)) Interlocked.CompareExchange(ref bucket[i], 0, other);
                }
        }
        return -1;
    }

    private int* BucketOf(int* address)
        => _table + (int)(MappedRegions.KeyOf((nint)address) % ParkingTableLayout.Buckets) * ParkingTableLayout.SlotsPerBucket;

    /// <summary>One pending async wait: completes once (woken, timed out or cancelled), then frees its slot and
    /// closes its event.</summary>
    private sealed class AsyncSleep : TaskCompletionSource<bool>
    {
        private readonly Sleeper _sleeper;
        private readonly nint _slot;
        private readonly WaitHandle _handle;
        private readonly RegisteredWaitHandle? _wait; // null for the instant before registration returns
        private readonly CancellationTokenRegistration _cancel;
        private int _done;

        public AsyncSleep(Sleeper sleeper, int* slot, int timeoutMs, CancellationToken cancellationToken)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _sleeper = sleeper;
            _slot = (nint)slot;
            _handle = new HandleWaitHandle(sleeper.Event.Handle);
            _wait = ThreadPool.UnsafeRegisterWaitForSingleObject(_handle, static (s, timedOut) => ((AsyncSleep)s!).Finish(!timedOut, default),
                this, timeoutMs, executeOnlyOnce: true);
            if (cancellationToken.CanBeCanceled)
                _cancel = cancellationToken.UnsafeRegister(static (s, ct) => ((AsyncSleep)s!).Finish(false, ct), this);
        }

        private void Finish(bool woken, CancellationToken cancelledBy)
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            Interlocked.CompareExchange(ref *(int*)_slot, 0, _sleeper.Id);
            _wait?.Unregister(null); // executeOnlyOnce: a wait that fired before this was stored is gone anyway
            _cancel.Unregister();
            _sleeper.Event.Dispose(); // the handle wrapper shares it: closing one closes the event
            if (cancelledBy.IsCancellationRequested) TrySetCanceled(cancelledBy);
            else TrySetResult(woken);
        }
    }

    /// <summary>A <see cref="WaitHandle"/> over an existing event handle (the thread pool waits on WaitHandles).</summary>
    private sealed class HandleWaitHandle : WaitHandle
    {
        public HandleWaitHandle(Microsoft.Win32.SafeHandles.SafeWaitHandle handle) => SafeWaitHandle = handle;
    }

    /// <summary>A thread's parking identity: a random id and the named auto-reset event it sleeps on (closed with
    /// the process; a thread parks again and again, so it keeps it).</summary>
    private sealed class Sleeper
    {
        public readonly int Id;
        public readonly WindowsEvent Event;

        public Sleeper()
        {
            while (true)
            {
                int id = RandomNumberGenerator.GetInt32(1, int.MaxValue);
                try
                {
                    Event = WindowsEvent.Create(NameOf(id), manualReset: false);
                    Id = id;
                    return;
                }
                catch (WindowsIoException e) when (e.ErrorCode == WindowsIoException.ErrorAlreadyExists) { }
            }
        }

        /// <summary>False once the sleeper's event is gone (its process died; a live sleeper keeps it open).</summary>
        public static bool Exists(int id)
        {
            try
            {
                WindowsEvent.Open(NameOf(id)).Dispose();
                return true;
            }
            catch (WindowsIoException e) when (e.ErrorCode == WindowsIoException.ErrorFileNotFound) { return false; }
        }

        public static string NameOf(int id) => ParkingTableLayout.EventPrefix + id.ToString(CultureInfo.InvariantCulture);
    }
}
