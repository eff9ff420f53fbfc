using System.Runtime.CompilerServices;

namespace NativeIpc.Queues;

/// <summary>What pending async waits on one queue (or pipe) ring must notice that no wake announces: a peer that died
/// (see <see cref="LivenessWatch"/>). One watch per ring and side, shared by every async wait on it, so the parker
/// looks once per ring and slice however many waits there are.</summary>
/// <remarks>Each condition it reports is one a retry repairs or ends, so a positive answer does not repeat forever:
/// consumers see the end (every holder died), skip a torn record (its producer died) or take over the take word
/// (its holder died); producers take over the claim word or free a record whose taker died.</remarks>
internal sealed class QueueLivenessWatch : LivenessWatch
{
    private static readonly ConditionalWeakTable<QueueRing, Pair> s_watches = [];

    private readonly QueueRing _ring;
    private readonly bool _consumers;

    private QueueLivenessWatch(QueueRing ring, bool consumers)
    {
        _ring = ring;
        _consumers = consumers;
    }

    /// <summary>The watch of the ring's consumers (waits for data, for the end, for the take word).</summary>
    public static QueueLivenessWatch Consumers(QueueRing ring) => s_watches.GetValue(ring, static r => new Pair(r)).Consumers;

    /// <summary>The watch of the ring's producers (waits for room, for the claim word).</summary>
    public static QueueLivenessWatch Producers(QueueRing ring) => s_watches.GetValue(ring, static r => new Pair(r)).Producers;

    protected internal override bool FoundDead(LivenessLook look)
    {
        if (_consumers)
        {
            // Every process that could put died: the stream ended, and nobody was left to say so.
            if (!_ring.HasEnded(checkLiveness: false) && _ring.HoldersNoneAlive(look)) return true;
            return IsDead(_ring.HeadClaimedBy, look) || IsDead(_ring.ConsumerWord.Holder, look);
        }
        return IsDead(_ring.ProducerWord.Holder, look) || IsDead(_ring.ReleasedTakenBy, look);
    }

    private static bool IsDead(int owner, LivenessLook look) => owner != 0 && !look.IsAlive(owner);

    private sealed class Pair(QueueRing ring)
    {
        public readonly QueueLivenessWatch Consumers = new(ring, consumers: true);
        public readonly QueueLivenessWatch Producers = new(ring, consumers: false);
    }
}
