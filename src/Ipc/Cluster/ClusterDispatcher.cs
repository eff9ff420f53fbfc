using System.Collections.Concurrent;
using System.Buffers.Binary;
using System.Diagnostics;

namespace NativeIpc.Cluster;

/// <summary>Rank 0's side, run on the MPI thread: hands chunks to workers as they ask (a result is the request for the
/// next chunk: dynamic load balancing), settles results into their pools, and at process exit tells every worker to
/// stop. While the backlog is long a worker also holds chunks queued behind the one it runs, so it never waits a round
/// trip between chunks: as many as it finishes in about <see cref="QueuedWorkMs"/> (measured per worker), and at least
/// one. Near the end of a map only idle workers get work.</summary>
internal sealed class ClusterDispatcher
{
    /// <summary>Most chunks a worker holds at once.</summary>
    private const int MaxHeld = 64;

    /// <summary>Work queued behind a worker's running chunk, in milliseconds of its measured run time per chunk.</summary>
    private const double QueuedWorkMs = 1;

    /// <summary>How long process exit waits for the workers to finish what they hold and say goodbye.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly IMpiTransport _mpi;
    private readonly byte[] _key;
    private readonly ConcurrentQueue<Outgoing> _outgoing = new();
    private readonly Queue<Outgoing>[] _held; // per rank (index 0 unused): chunks sent, oldest first
    private readonly List<IMpiSend> _sends = [];
    private readonly ClusterWait _wait;
    private readonly Func<bool> _ready; // the idle wait's condition: work to send, or (when workers ring) a message
    private readonly unsafe int*[] _doorbells; // per rank: its doorbell when it shares this node's memory, else null
    private readonly bool[] _ringAfterDispatch; // per rank: sent a chunk in this dispatch round, not rung yet
    private readonly ManualResetEventSlim _stopped = new();
    private volatile bool _stopRequested;
    private readonly double[] _chunkMs; // per rank: moving average of its run time per chunk (negative: not measured yet)
    private readonly long[] _runningSince; // per rank: when its current chunk started, as far as rank 0 can tell (Stopwatch)
    private int _next = 1; // round-robin start, so equal workers share equally

    /// <summary>A chunk for a worker: its pool, task id and message (<see cref="PoolMessageLayout"/>): the first
    /// <paramref name="Length"/> bytes of <paramref name="Message"/>, an array rented from the shared pool when
    /// <paramref name="Rented"/> (given back when its send completes, or when the chunk is dropped unsent).</summary>
    public readonly record struct Outgoing(ClusterPool Pool, long TaskId, byte[] Message, int Length, bool Rented)
    {
        /// <summary>Gives a rented message back, for a chunk that is never sent.</summary>
        public void Drop()
        {
            if (Rented) System.Buffers.ArrayPool<byte>.Shared.Return(Message);
        }
    }

    public unsafe ClusterDispatcher(IMpiTransport mpi, byte[] key)
    {
        _mpi = mpi;
        _key = key;
        _doorbells = new int*[mpi.Size];
        _ringAfterDispatch = new bool[mpi.Size];
        bool rung = false, allRing = true;
        for (int r = 1; r < mpi.Size; r++)
        {
            bool rings = (_doorbells[r] = mpi.Doorbell(r)) != null;
            rung |= rings;
            allRing &= rings;
        }
        _wait = new ClusterWait(mpi.Doorbell(0), peersRing: allRing);
        _ready = rung ? () => CanDispatch() || _mpi.HasMessage(IMpiTransport.AnySource) : CanDispatch;
        _held = new Queue<Outgoing>[mpi.Size];
        for (int r = 1; r < mpi.Size; r++) _held[r] = new Queue<Outgoing>();
        _chunkMs = new double[mpi.Size];
        Array.Fill(_chunkMs, -1);
        _runningSince = new long[mpi.Size];
    }

    public int Workers => _mpi.Size - 1;

    /// <summary>Workers on rank 0's node, with a doorbell each way (<see cref="IMpiTransport.Doorbell"/>).</summary>
    public unsafe int RingingWorkers
    {
        get
        {
            int n = 0;
            for (int r = 1; r < _doorbells.Length; r++) if (_doorbells[r] != null) n++;
            return n;
        }
    }

    /// <summary>Queues a chunk for the next free worker (any thread); <paramref name="notify"/>: wake the MPI thread
    /// (a caller queuing many chunks wakes it once they are queued, see <see cref="Poke"/>).</summary>
    public void Enqueue(Outgoing task, bool notify = true)
    {
        _outgoing.Enqueue(task);
        if (notify) _wait.Notify();
    }

    /// <summary>Wakes the MPI thread: chunks were queued without notifying, or a pool dropped queued work (cancel, terminate).</summary>
    public void Poke() => _wait.Notify();

    /// <summary>Ends the dispatcher at process exit: workers finish what they hold, send it, and end; MPI is finalized.</summary>
    public void Stop()
    {
        _stopRequested = true;
        _wait.Notify();
        _stopped.Wait(StopTimeout + TimeSpan.FromSeconds(5));
        ClusterTrace.Write(0);
    }

    public void Run()
    {
        try
        {
            for (int r = 1; r < _mpi.Size; r++) Send(r, ClusterTags.Key, _key);
            Serve();
            ShutDownWorkers();
        }
        catch (Exception e)
        {
            // MPI failed under us: nothing can be sent or received any more.
            Console.Error.WriteLine($"ClusterPool: MPI failed on rank 0; the job is aborted: {e.Message}");
            FailAll(e);
            _mpi.Abort(1);
        }
        finally
        {
            _stopped.Set();
        }
    }

    private void Serve()
    {
        while (!_stopRequested)
        {
            bool progressed = ReceiveAll() | CompleteSends() | Dispatch();
            if (progressed) { _wait.Progressed(spin: ExpectsSoon()); continue; }
            // Nothing held by any worker and no send in flight: only a local event can bring work.
            _wait.Idle(untilNotified: HeldCount() == 0 && _sends.Count == 0, _ready, SleepMs());
        }
    }

    private bool CanDispatch() => _stopRequested || (!_outgoing.IsEmpty && HasRoom());

    /// <summary>True when <see cref="Dispatch"/> would send a queued chunk: a worker is idle, or the backlog holds one
    /// per worker and a worker is below its <see cref="Depth"/>. It must say exactly that: a wait whose readiness
    /// Dispatch then declines returns at once, and the MPI thread turns into a busy loop (it did, on the last chunk of
    /// every map of long tasks: a core taken from the workers).</summary>
    private bool HasRoom()
    {
        bool backlog = _outgoing.Count >= Workers;
        for (int r = 1; r < _held.Length; r++)
            if (_held[r].Count == 0 || (backlog && _held[r].Count < Depth(r))) return true;
        return false;
    }

    private int HeldCount()
    {
        int n = 0;
        for (int r = 1; r < _held.Length; r++) n += _held[r].Count;
        return n;
    }

    /// <summary>Posts a message to worker <paramref name="r"/> and rings its doorbell, if it has one.</summary>
    private unsafe void Send(int r, int tag, byte[] message) => Send(r, tag, message, message.Length, rented: false);

    private unsafe void Send(int r, int tag, byte[] message, int length, bool rented, bool ring = true)
    {
        _sends.Add(_mpi.Post(r, tag, message, length, rented));
        if (ring) ClusterWait.Ring(_doorbells[r]);
    }

    private bool CompleteSends()
    {
        int before = _sends.Count;
        _sends.RemoveAll(s => s.Test());
        return _sends.Count != before;
    }

    private bool ReceiveAll()
    {
        bool any = false;
        while (_mpi.TryReceive(IMpiTransport.AnySource, out var m, pooled: true))
        {
            any = true;
            ClusterTrace.Mark(ClusterTrace.Event.ResultReceived, m.Source, m.Length);
            try
            {
                if (m.Tag == ClusterTags.Result) Settle(m);
            }
            finally
            {
                m.Release(); // a result is copied out of the message as it settles
            }
        }
        return any;
    }

    /// <summary>A worker's result settles the oldest chunk it holds; one naming anything else is dropped.</summary>
    private void Settle(MpiMessage m)
    {
        int r = m.Source;
        if (r <= 0 || r >= _held.Length || _held[r].Count == 0 || m.Length < ClusterResultLayout.PoolResultOffset) return;
        var result = m.Body.AsSpan(ClusterResultLayout.PoolResultOffset);
        if (!PoolMessage.TryReadTaskId(result, out long id) || _held[r].Peek().TaskId != id) return;
        long ran = BinaryPrimitives.ReadInt64LittleEndian(m.Body.AsSpan(ClusterResultLayout.RunTicksOffset));
        double ms = Math.Max(ran, 0) * 1000.0 / ClusterResultLayout.TicksPerSecond;
        _chunkMs[r] = _chunkMs[r] < 0 ? ms : (_chunkMs[r] * 7 + ms) / 8;
        var task = _held[r].Dequeue();
        _runningSince[r] = Stopwatch.GetTimestamp(); // its next chunk, if it holds one, starts now
        task.Pool.Settle(m.Body.Slice(ClusterResultLayout.PoolResultOffset));
        ClusterTrace.Mark(ClusterTrace.Event.ResultSettled, r, id);
    }

    /// <summary>First every idle worker gets a chunk, then — while the backlog is at least one chunk per worker — each
    /// busy worker gets more, breadth first, up to its <see cref="Depth"/>.</summary>
    private bool Dispatch()
    {
        bool any = false;
        for (int held = 0; held < MaxHeld && !_outgoing.IsEmpty; held++)
        {
            if (held > 0 && _outgoing.Count < Workers) break;
            bool sent = false;
            for (int i = 0; i < Workers; i++)
            {
                int r = 1 + (_next - 1 + i) % Workers;
                if (_held[r].Count != held || held >= Depth(r)) continue;
                if (!TryTake(out var task))
                {
                    RingDispatched();
                    return any;
                }
                if (_held[r].Count == 0) _runningSince[r] = Stopwatch.GetTimestamp();
                _held[r].Enqueue(task);
                Send(r, ClusterTags.Task, task.Message, task.Length, task.Rented, ring: false);
                _ringAfterDispatch[r] = true;
                ClusterTrace.Mark(ClusterTrace.Event.TaskPosted, r, task.TaskId);
                any = sent = true;
            }
            if (!sent && held > 0) break;
        }
        if (any) _next = _next % Workers + 1;
        RingDispatched();
        return any;
    }

    /// <summary>Rings the workers that were sent chunks, once every chunk of the round is posted: a worker woken
    /// earlier, on a node with no spare core, preempts this thread (the scheduler favours the woken sleeper) and the
    /// other workers wait for their first chunk until it is scheduled again (18 ms seen, in a map of 25 ms tasks).</summary>
    private unsafe void RingDispatched()
    {
        for (int r = 1; r < _ringAfterDispatch.Length; r++)
        {
            if (!_ringAfterDispatch[r]) continue;
            _ringAfterDispatch[r] = false;
            ClusterWait.Ring(_doorbells[r]);
        }
    }

    /// <summary>Chunks worker <paramref name="r"/> may hold: the running one plus about <see cref="QueuedWorkMs"/> of
    /// queued ones at its measured pace, and at least one queued (two until it was measured).</summary>
    /// <remarks>Long chunks are queued one deep too: the round trip they would otherwise wait between chunks is up to a
    /// sleep slice of this thread's (<see cref="ClusterWait.SleepMs"/>), 2-4 % of a 25 ms task. Queued chunks are
    /// given only while the backlog holds one per worker (<see cref="Dispatch"/>), so the last chunks of a map go to
    /// idle workers, not behind running ones.</remarks>
    private int Depth(int r) => _chunkMs[r] < 0 ? 2 : (int)Math.Clamp(1 + QueuedWorkMs / Math.Max(_chunkMs[r], 0.001), 2, MaxHeld);

    /// <summary>True when a worker's result (or a send) may complete within a spin: worth polling MPI for before
    /// sleeping. Workers busy with long chunks are not spun for: on a node with as many ranks as cores the spin would
    /// take its time from them.</summary>
    private bool ExpectsSoon()
    {
        if (_sends.Count > 0) return true;
        for (int r = 1; r < _held.Length; r++)
            if (_held[r].Count > 0 && _chunkMs[r] < SpinForChunksUnderMs) return true;
        return false;
    }

    /// <summary>Chunks shorter than this (and chunks of a worker not measured yet) are spun for.</summary>
    private const double SpinForChunksUnderMs = 1;

    /// <summary>How long the next idle sleep may be: half the time until the first result is expected (from each busy
    /// worker's measured pace), between <see cref="ClusterWait.SleepMs"/> and <see cref="MaxSleepMs"/>. While workers run
    /// long chunks rank 0 then wakes a few times per chunk instead of every millisecond, and still looks at least every
    /// millisecond around the time a result is due.</summary>
    private int SleepMs()
    {
        double soonest = double.MaxValue;
        long now = Stopwatch.GetTimestamp();
        for (int r = 1; r < _held.Length; r++)
        {
            if (_held[r].Count == 0) continue;
            if (_chunkMs[r] < 0) return ClusterWait.SleepMs;
            soonest = Math.Min(soonest, _chunkMs[r] - Stopwatch.GetElapsedTime(_runningSince[r], now).TotalMilliseconds);
        }
        return soonest == double.MaxValue ? ClusterWait.SleepMs : (int)Math.Clamp(soonest / 2, ClusterWait.SleepMs, MaxSleepMs);
    }

    /// <summary>Longest sleep while results are awaited: how late a result that comes early (a chunk shorter than its
    /// worker's average) may be seen.</summary>
    private const int MaxSleepMs = 4;

    /// <summary>The next queued chunk whose caller still waits for it (cancelled and terminated ones are dropped).</summary>
    private bool TryTake(out Outgoing task)
    {
        while (_outgoing.TryDequeue(out task))
        {
            if (task.Pool.IsPending(task.TaskId)) return true;
            task.Drop();
        }
        return false;
    }

    /// <summary>Tells every worker to stop, settling the results they still send, until each said goodbye.</summary>
    private void ShutDownWorkers()
    {
        var deadline = Deadline.From(StopTimeout);
        var left = new HashSet<int>(Enumerable.Range(1, Workers));
        for (int r = 1; r < _mpi.Size; r++) Send(r, ClusterTags.Shutdown, []);
        while ((left.Count > 0 || _sends.Count > 0) && !deadline.HasPassed)
        {
            bool progressed = CompleteSends();
            while (_mpi.TryReceive(IMpiTransport.AnySource, out var m, pooled: true))
            {
                progressed = true;
                try
                {
                    if (m.Tag == ClusterTags.Result) Settle(m);
                    else if (m.Tag == ClusterTags.Bye) left.Remove(m.Source);
                }
                finally
                {
                    m.Release();
                }
            }
            if (progressed) _wait.Progressed();
            else _wait.Idle(untilNotified: false, _ready);
        }
        if (left.Count > 0)
        {
            Console.Error.WriteLine($"ClusterPool: worker rank(s) {string.Join(", ", left)} did not stop within {StopTimeout.TotalSeconds} s " +
                "(a task still running?); aborting the MPI job.");
            _mpi.Abort(1);
        }
        FailAll(new InvalidOperationException("The program is exiting; this task did not finish."));
        _mpi.Shutdown();
    }

    private void FailAll(Exception e)
    {
        for (int r = 1; r < _held.Length; r++)
            while (_held[r].TryDequeue(out var t)) t.Pool.Fail(t.TaskId, e);
        while (_outgoing.TryDequeue(out var t))
        {
            t.Pool.Fail(t.TaskId, e);
            t.Drop();
        }
    }
}
