using System.Diagnostics;
using System.Runtime.InteropServices;
using NativeIpc.Platform.Unix;

namespace NativeIpc.Waiting;

/// <summary>Async parking on shared 32-bit words: an awaiting caller holds no thread and is woken by the same futex
/// wake that wakes a synchronous sleeper.</summary>
/// <remarks>
/// <para>Design (chosen over a per-process doorbell word because wakers then need not know about async waiters: every
/// existing wake site, in every process, already wakes them). One background thread per group of up to
/// <see cref="WordsPerThread"/> distinct (word, expected value) pairs sleeps in <c>futex_waitv</c> on all of them plus
/// a private control word, which a registration rings when the set or the nearest deadline changes. Waits on the same
/// word and value share one slot, so 1,000 waits on 100 words cost one thread; the 128th distinct pair starts a
/// second thread, and so on. When a slot's word differs from its value, every waiter on it completes
/// (<c>true</c>: look again); deadlines are kept per waiter and the thread sleeps until the nearest one (one timer
/// queue per thread, no <see cref="Timer"/> per wait). Cancellation removes the waiter at once. A wake the thread
/// receives for a slot nobody waits on any more is passed on (a <c>wake(1)</c> of a semaphore or a lock must not be
/// swallowed).</para>
/// <para>Liveness (a process that dies wakes nobody): a wait parked with a <see cref="LivenessWatch"/> has no slice of
/// its own. While any such wait is registered, its thread wakes once per <see cref="WaitTuning.LivenessSliceMs"/> and
/// asks each distinct watch once (answers of <see cref="ProcessLiveness.IsAlive"/> memoised for the look); only the
/// waits of a watch that found a dead peer are completed. Chosen over a slice per wait, which made 1,000 idle queue
/// waits 10,000 wake-and-retry continuations a second (~30 % of a core), and over waiting for
/// <see cref="ProcessLiveness.DeadOwnerObserved"/>, which only fires when someone happens to look.</para>
/// <para>Completion (wake latency): a woken wait is completed on the parker thread itself, inline, so the awaiting
/// code runs one kernel wake after the waker's store, as a synchronous waiter does, instead of two (parker, then a
/// cold thread-pool worker: after an idle second that second wake was most of the async reader's latency, and under
/// load each extra wake waits for a time slice). That is safe because each group has two threads taking turns: the
/// one that leads (sleeps in futex_waitv) hands the lead to the other, which is parked on a baton word, before it
/// runs any continuation, so a continuation that runs long or blocks delays no other wait. Only when the other thread
/// is not back yet (still running an earlier batch) are waits completed through the thread pool, as before.
/// <see cref="WaitTuning.AsyncInline"/> (NATIVEIPC_ASYNC_INLINE=0) turns inline completion off. Cancellation and
/// <see cref="Abandon"/> always complete through the thread pool (never on the canceller's or disposer's stack).</para>
/// <para>Memory: the thread reads a word only while its slot is registered, under the registry lock;
/// <see cref="Abandon"/> (called by an owner before it unmaps) removes the owner's waits, completing them with
/// <see cref="ObjectDisposedException"/>. The kernel call itself may race an unmapping: it then fails with EFAULT or
/// wakes spuriously, and the thread simply looks again.</para>
/// <para>Windows: a thread-pool wait on a kernel event the word's wakers set (<see cref="Os.Windows.EventWaiter"/>);
/// a wait with a liveness watch waits in slices of <see cref="WaitTuning.LivenessSliceMs"/> and asks the watch between
/// them. Fallback where futex_waitv is missing (Linux before 5.16): the word is re-read every
/// <see cref="WaitTuning.AsyncPollMs"/> ms with <see cref="Task.Delay(int, CancellationToken)"/> (holds no thread,
/// but costs latency and a little CPU).</para>
/// </remarks>
internal static class AsyncParker
{
    /// <summary>Slots per parker thread: futex_waitv's limit minus the control word.</summary>
    public const int WordsPerThread = FutexWaitAny.MaxWords - 1;

    private static readonly object s_lock = new();
    private static readonly List<Group> s_groups = [];
    private static readonly Dictionary<(nint Word, int Expected), Slot> s_slots = [];
    private static int s_waiters;
    private static long s_sleeps;
    private static long s_looks;
    private static long s_lastWake;

    /// <summary>Times a parker thread went to sleep (a test sees that idle waits do not make it spin).</summary>
    public static long SleepCount => Interlocked.Read(ref s_sleeps);

    /// <summary>Stopwatch timestamp at which a parker thread last returned from its kernel wait (the wake-latency
    /// bench splits an async wake into kernel-to-parker and parker-to-continuation with it).</summary>
    public static long LastWakeTimestamp => Volatile.Read(ref s_lastWake);

    /// <summary>Liveness looks made by parker threads (a test sees they happen once per slice, not once per wait).</summary>
    public static long LookCount => Interlocked.Read(ref s_looks);

    /// <summary>True when async waits park in the kernel (futex_waitv); false: the polling fallback.</summary>
    public static bool Parks { get; } = OperatingSystem.IsLinux() && FutexWaitAny.IsSupported;

    /// <summary>Pending async waits registered with the parker threads (0 once all completed or cancelled).</summary>
    public static int RegistrationCount { get { lock (s_lock) return s_waiters + Volatile.Read(ref s_fallbackWaits); } }

    private static int s_fallbackWaits; // pending waits outside the parker threads (kernel-event and poll), counted in RegistrationCount

    /// <summary>Parker groups started so far (each is two threads taking turns: the parker and its relay).</summary>
    public static int ThreadCount { get { lock (s_lock) return s_groups.Count; } }

    /// <summary>Completes true once <c>*word != expected</c> or the word is woken (maybe spuriously), false at
    /// <paramref name="due"/> when <paramref name="dueIsDeadline"/>, true at <paramref name="due"/> otherwise (a slice
    /// ended: the caller looks again); cancelled by <paramref name="ct"/>; <see cref="ObjectDisposedException"/> when
    /// <paramref name="owner"/> is abandoned first.</summary>
    /// <param name="word">The word (see <see cref="WordParker.ParkAsync"/> for how long it must stay mapped).</param>
    /// <param name="expected">The value to sleep on.</param>
    /// <param name="due">Stopwatch timestamp the wait ends at.</param>
    /// <param name="dueIsDeadline">True: <paramref name="due"/> is the caller's deadline (complete false); false: a slice.</param>
    /// <param name="ct">Stops the wait.</param>
    /// <param name="owner">The mapping's owner, for <see cref="Abandon"/>.</param>
    /// <param name="watch">Asked once per liveness slice for all waits sharing it; the wait completes true when it
    /// finds a dead peer (null: no liveness look).</param>
    public static unsafe ValueTask<bool> Park(int* word, int expected, long due, bool dueIsDeadline, CancellationToken ct, object? owner,
        LivenessWatch? watch = null)
    {
        if (ct.IsCancellationRequested) return ValueTask.FromCanceled<bool>(ct);
        if (Volatile.Read(ref *word) != expected) return new(true);
        if (due <= Stopwatch.GetTimestamp()) return new(!dueIsDeadline);
        if (!Parks)
        {
            // Windows: a kernel-event wait; with a liveness watch, in slices that end to ask it.
            if (OperatingSystem.IsWindows())
                return watch is null
                    ? WindowsPark(word, expected, due, dueIsDeadline, ct, owner)
                    : WindowsParkWatched((nint)word, expected, due, dueIsDeadline, ct, owner, watch);
            return PollFallback((nint)word, expected, due, dueIsDeadline, watch, ct, owner);
        }

        var w = new Waiter(due, dueIsDeadline ? false : true, owner, watch);
        lock (s_lock)
        {
            var key = ((nint)word, expected);
            bool ring = false;
            if (!s_slots.TryGetValue(key, out var slot))
            {
                slot = new Slot((nint)word, expected, GroupWithRoom());
                s_slots.Add(key, slot);
                slot.Group.Slots.Add(slot);
                ring = true;
            }
            w.Slot = slot;
            slot.Waiters.Add(w);
            s_waiters++;
            if (watch is not null && slot.Group.Watched++ == 0) ring = true; // start the thread's liveness looks
            if (due < slot.Group.SleepingUntil) ring = true;
            if (ring) slot.Group.Ring();
            // Registered under the lock, so a completion (which unregisters under it) never sees it half written;
            // a token cancelled meanwhile runs Cancel here, re-entering the lock.
            if (ct.CanBeCanceled)
            {
                w.Token = ct;
                w.Registration = ct.UnsafeRegister(static s => Cancel((Waiter)s!), w);
            }
        }
        return new(w.Task);
    }

    /// <summary>Completes every pending wait of <paramref name="owner"/> with <see cref="ObjectDisposedException"/>
    /// and stops watching their words; call before unmapping the memory they watch.</summary>
    public static void Abandon(object owner, string typeName)
    {
        if (!Parks)
        {
            // Kernel-event and poll waits: each is linked to its owner's signal.
            AbandonSignal? signal;
            lock (s_abandon) { if (s_abandon.TryGetValue(owner, out signal)) s_abandon.Remove(owner); }
            if (signal is not null)
            {
                signal.TypeName = typeName;
                signal.Source.Cancel();
            }
            return;
        }
        lock (s_lock)
        {
            if (s_waiters == 0) return;
            foreach (var slot in s_slots.Values.ToList())
            {
                foreach (var w in slot.Waiters.ToList())
                    if (ReferenceEquals(w.Owner, owner))
                    {
                        Remove(w);
                        w.Registration.Unregister();
                        w.CompleteFaulted(Abandoned(typeName));
                    }
            }
        }
    }

    private static void Cancel(Waiter w)
    {
        lock (s_lock)
        {
            if (w.Slot is null) return;
            Remove(w);
        }
        w.CompleteCanceled();
    }

    /// <summary>Unregisters a waiter (under the lock); a slot left empty is dropped and its thread told.</summary>
    private static void Remove(Waiter w)
    {
        var slot = w.Slot!;
        slot.Waiters.Remove(w);
        Unlink(w);
        if (slot.Waiters.Count == 0) DropSlot(slot, ring: true);
    }

    /// <summary>Forgets a waiter already taken out of its slot's list (under the lock).</summary>
    private static void Unlink(Waiter w)
    {
        if (w.Watch is not null) w.Slot!.Group.Watched--;
        w.Slot = null;
        s_waiters--;
    }

    private static void DropSlot(Slot slot, bool ring)
    {
        s_slots.Remove((slot.Word, slot.Expected));
        slot.Group.Slots.Remove(slot);
        slot.Dropped = true;
        if (ring) slot.Group.Ring();
    }

    private static Group GroupWithRoom()
    {
        foreach (var g in s_groups)
            if (g.Slots.Count < WordsPerThread) return g;
        var group = new Group(s_groups.Count);
        s_groups.Add(group);
        group.Start();
        return group;
    }

    /// <summary>Windows: a thread-pool wait on a kernel event that the word's wakers set (<see cref="Os.Windows.EventWaiter"/>).</summary>
    /// <remarks>An owner's pending waits end with <see cref="ObjectDisposedException"/> when it is abandoned: each is
    /// also cancelled by the owner's <see cref="AbandonSignal"/>.</remarks>
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static unsafe ValueTask<bool> WindowsPark(int* word, int expected, long due, bool dueIsDeadline, CancellationToken ct, object? owner)
    {
        long left = due - Stopwatch.GetTimestamp();
        int ms = due == long.MaxValue ? Timeout.Infinite : (int)Math.Clamp(left * 1000 / Stopwatch.Frequency + 1, 1, int.MaxValue - 1);
        var (signal, linked) = LinkAbandon(owner, ct);
        var wait = ((Os.Windows.EventWaiter)Os.OsLayer.Waiter).WaitAsync(word, expected, ms, linked?.Token ?? ct);
        if (wait.IsCompletedSuccessfully)
        {
            linked?.Dispose();
            return new(wait.Result || !dueIsDeadline);
        }
        Interlocked.Increment(ref s_fallbackWaits);
        return WindowsParkCompleted(wait, dueIsDeadline, ct, signal, linked);
    }

    /// <summary>Windows, with a liveness watch: kernel-event waits of at most one liveness slice each, the watch asked
    /// between them (no re-reading of the word on a timer: a wake ends the wait at once).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static async ValueTask<bool> WindowsParkWatched(nint word, int expected, long due, bool dueIsDeadline, CancellationToken ct, object? owner,
        LivenessWatch watch)
    {
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (due <= now) return !dueIsDeadline;
            long sliceEnd = Math.Min(due, now + LookInterval);
            if (await WindowsParkSlice(word, expected, sliceEnd, ct, owner).ConfigureAwait(false)) return true; // woken
            if (watch.Check(new LivenessLook())) return true;
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
    private static unsafe ValueTask<bool> WindowsParkSlice(nint word, int expected, long sliceEnd, CancellationToken ct, object? owner)
        => WindowsPark((int*)word, expected, sliceEnd, dueIsDeadline: true, ct, owner);

    private static async ValueTask<bool> WindowsParkCompleted(Task<bool> wait, bool dueIsDeadline, CancellationToken ct, AbandonSignal? signal, CancellationTokenSource? linked)
    {
        try { return await wait.ConfigureAwait(false) || !dueIsDeadline; }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && signal is { TypeName: { } typeName })
        {
            throw Abandoned(typeName);
        }
        finally
        {
            linked?.Dispose();
            Interlocked.Decrement(ref s_fallbackWaits);
        }
    }

    /// <summary>For a wait outside the parker threads: a token that also fires when <paramref name="owner"/> is
    /// abandoned (<see cref="Abandon"/>), with the signal that says so; none without an owner.</summary>
    private static (AbandonSignal? Signal, CancellationTokenSource? Linked) LinkAbandon(object? owner, CancellationToken ct)
    {
        if (owner is null) return (null, null);
        AbandonSignal? signal;
        lock (s_abandon)
        {
            if (!s_abandon.TryGetValue(owner, out signal)) s_abandon.Add(owner, signal = new AbandonSignal());
        }
        return (signal, CancellationTokenSource.CreateLinkedTokenSource(ct, signal.Source.Token));
    }

    private static ObjectDisposedException Abandoned(string typeName)
        => new(typeName, "The object was disposed while an async wait on it was pending.");

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, AbandonSignal> s_abandon = [];

    /// <summary>Cancels every pending Windows wait of one owner when it is abandoned (the type name goes into the
    /// <see cref="ObjectDisposedException"/>).</summary>
    private sealed class AbandonSignal
    {
        public readonly CancellationTokenSource Source = new();
        public volatile string? TypeName;
    }

    /// <summary>Re-reads the word every <see cref="WaitTuning.AsyncPollMs"/> ms (no thread held); ends with
    /// <see cref="ObjectDisposedException"/> when <paramref name="owner"/> is abandoned, as a parked wait does.</summary>
    private static async ValueTask<bool> PollFallback(nint word, int expected, long due, bool dueIsDeadline, LivenessWatch? watch, CancellationToken ct, object? owner)
    {
        var (signal, linked) = LinkAbandon(owner, ct);
        var token = linked?.Token ?? ct;
        Interlocked.Increment(ref s_fallbackWaits);
        try
        {
            long nextLook = Stopwatch.GetTimestamp() + LookInterval;
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                long left = due - now;
                if (left <= 0) return !dueIsDeadline;
                if (watch is not null && now >= nextLook)
                {
                    if (watch.Check(new LivenessLook())) return true;
                    nextLook = now + LookInterval;
                }
                int ms = (int)Math.Clamp(left * 1000 / Stopwatch.Frequency, 1, WaitTuning.AsyncPollMs);
                await Task.Delay(ms, token).ConfigureAwait(false);
                if (Read(word) != expected) return true;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && signal is { TypeName: { } typeName })
        {
            throw Abandoned(typeName);
        }
        finally
        {
            linked?.Dispose();
            Interlocked.Decrement(ref s_fallbackWaits);
        }
    }

    /// <summary>Stopwatch ticks between two liveness looks.</summary>
    private static readonly long LookInterval = WaitTuning.LivenessSliceMs * Stopwatch.Frequency / 1000;

    /// <summary>Awaits <paramref name="park"/>, then leaves the sleeper count (unless the owner was abandoned).</summary>
    public static async ValueTask<bool> LeaveAfter(ValueTask<bool> park, nint sleepers)
    {
        bool result;
        try { result = await park.ConfigureAwait(false); }
        catch (ObjectDisposedException) { throw; }
        catch
        {
            Leave(sleepers);
            throw;
        }
        Leave(sleepers);
        return result;
    }

    private static unsafe void Leave(nint sleepers) => Interlocked.Decrement(ref *(int*)sleepers);

    private static unsafe int Read(nint word) => Volatile.Read(ref *(int*)word);

    /// <summary>One pending async wait.</summary>
    /// <remarks>Its continuations run where it is completed: on a parker thread that handed off the lead (inline), or on a
    /// thread-pool thread (it queues itself: <see cref="IThreadPoolWorkItem"/>).</remarks>
    private sealed class Waiter(long due, bool resultAtDue, object? owner, LivenessWatch? watch)
        : TaskCompletionSource<bool>, IThreadPoolWorkItem
    {
        public readonly long Due = due;
        public readonly bool ResultAtDue = resultAtDue;
        public readonly object? Owner = owner;
        public readonly LivenessWatch? Watch = watch;
        public Slot? Slot;
        public CancellationToken Token;
        public CancellationTokenRegistration Registration;

        private bool _result, _canceled;
        private Exception? _error;

        /// <summary>Completes a waiter already removed from its slot: on this thread (<paramref name="inline"/>) or
        /// through the thread pool.</summary>
        public void Complete(bool result, bool inline)
        {
            Registration.Unregister(); // not Dispose: that would wait for a running Cancel, which needs our lock
            if (inline) TrySetResult(result);
            else
            {
                _result = result;
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        /// <summary>Completes as cancelled by <see cref="Token"/>, through the thread pool.</summary>
        public void CompleteCanceled()
        {
            _canceled = true;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        /// <summary>Completes with <paramref name="error"/>, through the thread pool.</summary>
        public void CompleteFaulted(Exception error)
        {
            _error = error;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        void IThreadPoolWorkItem.Execute()
        {
            if (_error is { } e) TrySetException(e);
            else if (_canceled) TrySetCanceled(Token);
            else TrySetResult(_result);
        }
    }

    /// <summary>A (word, expected value) pair some waiters park on.</summary>
    private sealed class Slot(nint word, int expected, Group group)
    {
        public readonly nint Word = word;
        public readonly int Expected = expected;
        public readonly Group Group = group;
        public readonly List<Waiter> Waiters = [];
        public bool Dropped;
    }

    /// <summary>The slots one parker thread watches, and the two threads that take turns at it (see the remarks on
    /// completion above): the leader sleeps in futex_waitv; the other waits on the baton word, ready to lead.</summary>
    private sealed unsafe class Group(int index)
    {
        public readonly List<Slot> Slots = [];
        /// <summary>The Stopwatch timestamp the thread sleeps until (long.MaxValue: no deadline).</summary>
        public long SleepingUntil = long.MaxValue;
        /// <summary>Registered waits that have a <see cref="LivenessWatch"/> (while nonzero the thread looks every slice).</summary>
        public int Watched;
        private long _nextLook;
        private readonly LivenessLook _look = new();
        private readonly Dictionary<LivenessWatch, bool> _answers = new(ReferenceEqualityComparer.Instance);
        private readonly int* _control = (int*)NativeMemory.AllocZeroed(sizeof(int)); // lives as long as the threads
        private readonly int* _baton = (int*)NativeMemory.AllocZeroed(sizeof(int)); // bumped to hand the lead over
        private bool _relayWaiting; // the other thread waits on the baton (under s_lock)

        public void Start()
        {
            new Thread(() => Run(lead: true)) { IsBackground = true, Name = $"NativeIpc async parker {index}" }.UnsafeStart();
            new Thread(() => Run(lead: false)) { IsBackground = true, Name = $"NativeIpc async parker {index} relay" }.UnsafeStart();
        }

        /// <summary>Waits (not leading) until the leader hands over the lead.</summary>
        private void AwaitBaton()
        {
            int b;
            lock (s_lock)
            {
                b = Volatile.Read(ref *_baton);
                _relayWaiting = true;
            }
            while (Volatile.Read(ref *_baton) == b) FutexWord.Wait(_baton, b, -1);
        }

        /// <summary>Completes a batch of woken waits: inline after handing the lead to the waiting thread (false: this
        /// thread no longer leads), else through the thread pool (true: it still leads).</summary>
        private bool CompleteBatch(List<(Waiter Waiter, bool Result)> batch)
        {
            bool handOff = false;
            if (WaitTuning.AsyncInline)
            {
                lock (s_lock)
                {
                    if (_relayWaiting)
                    {
                        _relayWaiting = false;
                        handOff = true;
                    }
                }
            }
            if (handOff)
            {
                Interlocked.Increment(ref *_baton);
                FutexWord.Wake(_baton, 1);
            }
            foreach (var (w, result) in batch) w.Complete(result, inline: handOff);
            batch.Clear();
            return !handOff;
        }

        /// <summary>Tells the thread the set or the nearest deadline changed.</summary>
        public void Ring()
        {
            Interlocked.Increment(ref *_control);
            FutexWord.Wake(_control, 1);
        }

        /// <summary>One liveness look (under the lock): each distinct watch of this thread's waits is asked once, and the
        /// waits of a watch that found a dead peer complete (true: look again).</summary>
        private void Look(List<(Waiter, bool)> batch)
        {
            _look.Clear();
            _answers.Clear();
            foreach (var slot in Slots)
            {
                for (int j = slot.Waiters.Count - 1; j >= 0; j--)
                {
                    var w = slot.Waiters[j];
                    if (w.Watch is not { } watch) continue;
                    if (!_answers.TryGetValue(watch, out bool dead)) _answers[watch] = dead = watch.Check(_look);
                    if (!dead) continue;
                    slot.Waiters.RemoveAt(j);
                    Unlink(w);
                    batch.Add((w, true));
                }
            }
            Interlocked.Increment(ref s_looks);
        }

        private void Run(bool lead)
        {
            var words = new nint[FutexWaitAny.MaxWords];
            var expected = new int[FutexWaitAny.MaxWords];
            var watched = new Slot?[FutexWaitAny.MaxWords];
            var batch = new List<(Waiter, bool)>();
            while (true)
            {
                if (!lead)
                {
                    AwaitBaton();
                    lead = true;
                }
                int n;
                long until;
                lock (s_lock)
                {
                    words[0] = (nint)_control;
                    expected[0] = Volatile.Read(ref *_control);
                    n = 1;
                    until = long.MaxValue;
                    long now = Stopwatch.GetTimestamp();
                    if (Watched == 0) _nextLook = 0;
                    else if (_nextLook == 0) _nextLook = now + LookInterval;
                    else if (now >= _nextLook)
                    {
                        Look(batch);
                        _nextLook = now + LookInterval;
                    }
                    for (int i = Slots.Count - 1; i >= 0; i--)
                    {
                        var slot = Slots[i];
                        if (Read(slot.Word) != slot.Expected)
                        {
                            foreach (var w in slot.Waiters) { Unlink(w); batch.Add((w, true)); }
                            slot.Waiters.Clear();
                            DropSlot(slot, ring: false);
                            continue;
                        }
                        for (int j = slot.Waiters.Count - 1; j >= 0; j--)
                        {
                            var w = slot.Waiters[j];
                            if (w.Due <= now)
                            {
                                slot.Waiters.RemoveAt(j);
                                Unlink(w);
                                batch.Add((w, w.ResultAtDue));
                            }
                            else until = Math.Min(until, w.Due);
                        }
                        if (slot.Waiters.Count == 0) { DropSlot(slot, ring: false); continue; }
                        words[n] = slot.Word;
                        expected[n] = slot.Expected;
                        watched[n] = slot;
                        n++;
                    }
                    if (Watched > 0) until = Math.Min(until, _nextLook);
                    SleepingUntil = until;
                }
                // Outside the lock: an inline continuation re-registers (taking it) or runs the caller's code.
                if (batch.Count > 0 && !CompleteBatch(batch))
                {
                    lead = false;
                    Array.Clear(watched);
                    continue;
                }
                long deadlineNs = long.MaxValue;
                if (until != long.MaxValue)
                {
                    long left = Math.Max(0, until - Stopwatch.GetTimestamp());
                    deadlineNs = FutexWaitAny.MonotonicNowNs() + (long)(left * (1_000_000_000.0 / Stopwatch.Frequency));
                }
                Interlocked.Increment(ref s_sleeps);
                int r = FutexWaitAny.Wait(words.AsSpan(0, n), expected.AsSpan(0, n), deadlineNs);
                Volatile.Write(ref s_lastWake, Stopwatch.GetTimestamp());
                if (r > 0)
                {
                    var slot = watched[r];
                    bool stale;
                    lock (s_lock) stale = slot!.Dropped;
                    // Nobody here wanted this wake: pass it on to a sync sleeper that may (best effort: the memory may
                    // be unmapped by now, and a wake of an unmapped address fails harmlessly).
                    if (stale)
                    {
                        try { FutexWord.Wake((int*)slot.Word, 1); }
                        catch (PosixException) { }
                    }
                }
                Array.Clear(watched);
            }
        }
    }
}
