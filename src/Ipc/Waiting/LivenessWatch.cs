namespace NativeIpc.Waiting;

/// <summary>What a group of async waits must notice that no wake announces: a peer's death (a process that dies wakes
/// nobody). Waits parked with a watch have no liveness slice of their own: the parker thread asks the watch once per
/// <see cref="WaitTuning.LivenessSliceMs"/> for all of them, and completes them (true: look again) only when it says
/// a peer they depend on is dead. So 1,000 idle waits on 100 queues cost 100 cheap looks a slice on one thread,
/// instead of 1,000 wake-and-retry continuations.</summary>
/// <remarks>Make one watch per object and side (a queue's consumers, its producers), shared by every wait on it, so
/// the parker looks once per object whatever the number of waits. A wait loop that retries after such a wake compares
/// <see cref="Deaths"/> before and after to know it must look at liveness itself (the ordinary, cheap attempt does not).</remarks>
internal abstract class LivenessWatch
{
    private int _deaths;

    /// <summary>Times a look found a dead peer (it only grows).</summary>
    public int Deaths => Volatile.Read(ref _deaths);

    /// <summary>True when a peer the waits depend on is dead, so a retry would take over, skip or see the end. Called
    /// on a parker thread under its lock while waits with this watch are registered (their memory is mapped), so it
    /// must only read and be quick; an exception counts as true (the retry then meets the fault itself).</summary>
    /// <param name="look">Liveness answers memoised for this look (several objects share holders).</param>
    protected internal abstract bool FoundDead(LivenessLook look);

    /// <summary>Asks <see cref="FoundDead"/> and counts a positive answer.</summary>
    internal bool Check(LivenessLook look)
    {
        bool dead;
        try { dead = FoundDead(look); }
        catch (Exception) { dead = true; } // corrupt memory, say: the waits' own retry throws the defined exception
        if (dead) Interlocked.Increment(ref _deaths);
        return dead;
    }
}
