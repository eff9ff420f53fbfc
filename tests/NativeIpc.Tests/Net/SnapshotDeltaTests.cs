using NUnit.Framework;

namespace NativeIpc.Tests.Net;

/// <summary>The remote manager's deltas: a splice found between two snapshots rebuilds the second from the first, and
/// a splice from a peer that does not fit is refused (the server applies what clients send).</summary>
[TestFixture]
public class SnapshotDeltaTests
{
    [Test]
    public void Find_ThenApply_RebuildsTheNewBytes_ForRandomEdits()
    {
        var random = new Random(1234);
        for (int round = 0; round < 2000; round++)
        {
            var old = new byte[random.Next(0, 300)];
            random.NextBytes(old);
            if (round % 3 == 0) Array.Fill(old, (byte)7); // repeated bytes: prefix and suffix may overlap
            var next = old.ToList();
            int at = random.Next(0, next.Count + 1);
            int remove = random.Next(0, next.Count - at + 1);
            next.RemoveRange(at, remove);
            var insert = new byte[random.Next(0, 40)];
            random.NextBytes(insert);
            if (round % 3 == 0) Array.Fill(insert, (byte)7);
            next.InsertRange(at, insert);
            var nextBytes = next.ToArray();

            var (prefix, suffix) = SnapshotDelta.Find(old, nextBytes);
            Assert.That(prefix + suffix, Is.LessThanOrEqualTo(Math.Min(old.Length, nextBytes.Length)));
            var middle = nextBytes.AsSpan(prefix, nextBytes.Length - prefix - suffix);
            Assert.That(middle.Length, Is.LessThanOrEqualTo(insert.Length + Math.Abs(old.Length - nextBytes.Length) + remove), "the delta is no larger than the edit");
            Assert.That(SnapshotDelta.Apply(old, prefix, suffix, middle, long.MaxValue), Is.EqualTo(nextBytes), $"round {round}");
        }
    }

    [Test]
    public void Apply_RefusesSplicesThatDoNotFit()
    {
        var old = new byte[10];
        Assert.That(SnapshotDelta.Apply(old, -1, 0, [], 100), Is.Null);
        Assert.That(SnapshotDelta.Apply(old, 0, -1, [], 100), Is.Null);
        Assert.That(SnapshotDelta.Apply(old, 6, 5, [], 100), Is.Null, "prefix and suffix overlap past the old bytes");
        Assert.That(SnapshotDelta.Apply(old, int.MaxValue, int.MaxValue, [], 100), Is.Null);
        Assert.That(SnapshotDelta.Apply(old, 5, 5, new byte[91], 100), Is.Null, "over the capacity");
        Assert.That(SnapshotDelta.Apply(old, 5, 5, new byte[90], 100), Has.Length.EqualTo(100));
    }
}
